"use client";

import { Area, AreaChart, Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { axisTick, chart, dayTick, numberTick } from "./chart-theme";

/** `used` is null on days before 30 days of usage were on record: a gap, not a zero. */
export type PrivilegeTrendDatum = { day: string; approved: number; used: number | null };
export type StandingTrendDatum = { day: string; standing: number; unapproved: number };
export type JitDatum = { day: string; requests: number; breakGlass: number };
/** null on days no escalation analysis had counted: a gap, not a zero. */
export type ReachAdminDatum = { day: string; people: number | null; nhi: number | null };

const legend = { wrapperStyle: { fontSize: 12 }, iconType: "plainline" as const };
const tooltipLabel = (day: unknown) => dayTick(String(day));

function Frame({ testId, label, children, tall = false }: { testId: string; label: string; children: React.ReactElement; tall?: boolean }) {
  return (
    <div className={`${tall ? "h-80" : "h-64"} text-slate-500`} data-testid={testId} role="img" aria-label={label}>
      <ResponsiveContainer width="100%" height="100%">
        {children}
      </ResponsiveContainer>
    </div>
  );
}

/** Privileged grants approved against those used in the 30 days up to each day: the gap is unused privilege. */
export function PrivilegeTrendChart({ data }: { data: PrivilegeTrendDatum[] }) {
  return (
    <Frame testId="privilege-trend-chart" label="Approved versus used privileged grants, daily for 90 days" tall>
      <AreaChart data={data} margin={{ top: 8, right: 16, left: 0, bottom: 0 }}>
        <CartesianGrid vertical={false} stroke={chart.grid} />
        <XAxis dataKey="day" tickFormatter={dayTick} tick={axisTick} minTickGap={24} />
        <YAxis allowDecimals={false} tickFormatter={numberTick} tick={axisTick} width={48} />
        <Tooltip labelFormatter={tooltipLabel} />
        <Legend {...legend} />
        <Area
          type="monotone"
          dataKey="approved"
          name="Approved privileged"
          stroke={chart.approved}
          fill={chart.approved}
          fillOpacity={0.12}
          strokeWidth={2}
          isAnimationActive={false}
        />
        <Area
          type="monotone"
          dataKey="used"
          name="Used in prior 30 days"
          stroke={chart.used}
          fill={chart.used}
          fillOpacity={0.25}
          strokeWidth={2}
          isAnimationActive={false}
        />
      </AreaChart>
    </Frame>
  );
}

type LineSpec = { key: string; name: string; colour: string; dashed?: boolean };

/** Daily figures as lines, the second dashed; `dot` marks each day (for when there are too few for a line). */
function DailyLines({ testId, label, data, lines, dot = false }: { testId: string; label: string; data: object[]; lines: LineSpec[]; dot?: boolean }) {
  return (
    <Frame testId={testId} label={label}>
      <LineChart data={data} margin={{ top: 8, right: 16, left: 0, bottom: 0 }}>
        <CartesianGrid vertical={false} stroke={chart.grid} />
        <XAxis dataKey="day" tickFormatter={dayTick} tick={axisTick} minTickGap={24} />
        <YAxis allowDecimals={false} tickFormatter={numberTick} tick={axisTick} width={48} />
        <Tooltip labelFormatter={tooltipLabel} />
        <Legend {...legend} />
        {lines.map((l) => (
          <Line
            key={l.key}
            type="monotone"
            dataKey={l.key}
            name={l.name}
            stroke={l.colour}
            strokeWidth={2}
            dot={dot ? { r: 3, fill: l.colour, strokeDasharray: "" } : false}
            strokeDasharray={l.dashed ? "4 3" : undefined}
            isAnimationActive={false}
          />
        ))}
      </LineChart>
    </Frame>
  );
}

/** Always-on privileged grants, and active grants nobody approved, day by day. */
export function StandingTrendChart({ data }: { data: StandingTrendDatum[] }) {
  return (
    <DailyLines
      testId="standing-trend-chart"
      label="Standing privileged grants and unapproved active grants, daily for 90 days"
      data={data}
      lines={[
        { key: "standing", name: "Standing privileged", colour: chart.standing },
        { key: "unapproved", name: "Unapproved active", colour: chart.unapproved, dashed: true },
      ]}
    />
  );
}

/** JIT requests per day, break-glass activations stacked on top in their own colour. */
export function JitActivityChart({ data }: { data: JitDatum[] }) {
  const rows = data.map((d) => ({ day: d.day, regular: Math.max(0, d.requests - d.breakGlass), breakGlass: d.breakGlass }));
  return (
    <Frame testId="jit-chart" label="Just-in-time requests per day, break-glass marked">
      <BarChart data={rows} margin={{ top: 8, right: 16, left: 0, bottom: 0 }}>
        <CartesianGrid vertical={false} stroke={chart.grid} />
        <XAxis dataKey="day" tickFormatter={dayTick} tick={axisTick} minTickGap={24} />
        <YAxis allowDecimals={false} tick={axisTick} width={32} />
        <Tooltip labelFormatter={tooltipLabel} cursor={{ fill: "rgba(0,0,0,0.04)" }} />
        <Legend wrapperStyle={{ fontSize: 12 }} />
        <Bar dataKey="regular" name="Requests" stackId="jit" fill={chart.requests} isAnimationActive={false} />
        <Bar dataKey="breakGlass" name="Break-glass" stackId="jit" fill={chart.breakGlass} isAnimationActive={false} />
      </BarChart>
    </Frame>
  );
}

/** People and NHIs that can reach administrator access (holding it or by escalation), day by day. */
export function ReachAdminTrendChart({ data }: { data: ReachAdminDatum[] }) {
  return (
    <DailyLines
      testId="reach-admin-trend-chart"
      label="People and non-human identities that can reach administrator access, daily for 90 days"
      data={data}
      // A line needs two days: mark each day while there are few.
      dot={data.filter((d) => d.people !== null).length <= 3}
      lines={[
        { key: "nhi", name: "Non-human identities", colour: chart.nhi },
        { key: "people", name: "People", colour: chart.people, dashed: true },
      ]}
    />
  );
}
