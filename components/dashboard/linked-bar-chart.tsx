"use client";

import { useRouter } from "next/navigation";
import { Bar, BarChart, CartesianGrid, Cell, LabelList, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { axisTick, chart } from "./chart-theme";

export type LinkedBar = { label: string; value: number; href?: string; colour?: string; note?: string };

/** Category names on the axis that are links to the list behind the bar. */
function LinkTick({
  x,
  y,
  payload,
  bars,
  width,
  onOpen,
}: {
  x?: number | string;
  y?: number | string;
  payload?: { value: string; index: number };
  bars: LinkedBar[];
  width: number;
  onOpen: (href: string) => void;
}) {
  const bar = bars[payload?.index ?? -1];
  if (!bar) return null;
  const max = Math.floor((width - 8) / 7);
  const text = bar.label.length > max ? `${bar.label.slice(0, max - 1)}…` : bar.label;
  const label = (
    <text x={Number(x) - 6} y={Number(y)} dy={4} textAnchor="end" fontSize={12} className={bar.href ? "fill-brand-700 hover:underline" : "fill-slate-600"}>
      <title>{bar.label}</title>
      {text}
    </text>
  );
  if (!bar.href) return label;
  const href = bar.href;
  return (
    <a
      href={href}
      onClick={(e) => {
        e.preventDefault();
        onOpen(href);
      }}
    >
      {label}
    </a>
  );
}

/**
 * Horizontal bars whose names and bars link to the list behind them (an
 * identity, or findings filtered to a system or kind). `max` fixes the scale
 * (100 for a score); `unit` follows each value.
 */
export function LinkedBarChart({
  data,
  name,
  testId,
  max,
  unit = "",
  labelWidth = 140,
  label,
}: {
  data: LinkedBar[];
  name: string;
  testId: string;
  max?: number;
  unit?: string;
  labelWidth?: number;
  label: string;
}) {
  const router = useRouter();
  const height = Math.max(120, data.length * 30 + 36);
  return (
    <div style={{ height }} className="text-slate-500" data-testid={testId} role="img" aria-label={label}>
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={data} layout="vertical" margin={{ top: 4, right: 40, left: 4, bottom: 4 }}>
          <CartesianGrid horizontal={false} stroke={chart.grid} />
          <XAxis type="number" allowDecimals={false} domain={max ? [0, max] : [0, "auto"]} tick={axisTick} />
          <YAxis
            type="category"
            dataKey="label"
            width={labelWidth}
            interval={0}
            tick={(props) => <LinkTick {...props} bars={data} width={labelWidth} onOpen={(href) => router.push(href)} />}
          />
          <Tooltip
            cursor={{ fill: "rgba(0,0,0,0.04)" }}
            formatter={(value, _n, item) => [
              `${Number(value).toLocaleString("en")}${unit}${(item?.payload as LinkedBar | undefined)?.note ? ` · ${(item.payload as LinkedBar).note}` : ""}`,
              name,
            ]}
          />
          <Bar
            dataKey="value"
            name={name}
            radius={[0, 4, 4, 0]}
            cursor={data.some((d) => d.href) ? "pointer" : undefined}
            isAnimationActive={false}
            onClick={(d) => {
              const href = (d.payload as LinkedBar).href;
              if (href) router.push(href);
            }}
          >
            {data.map((d, i) => (
              <Cell key={`${d.label}-${i}`} fill={d.colour ?? chart.bar} />
            ))}
            <LabelList dataKey="value" position="right" fontSize={12} formatter={(v) => `${Number(v).toLocaleString("en")}${unit}`} />
          </Bar>
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
