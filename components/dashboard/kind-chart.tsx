"use client";

import { Bar, BarChart, CartesianGrid, Cell, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { chart } from "./chart-theme";

export type KindDatum = { label: string; count: number };

/** Active identities by kind: how far non-human identities outnumber people. */
export function KindChart({ data }: { data: KindDatum[] }) {
  return (
    <div className="h-64" data-testid="kind-chart">
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={data} layout="vertical" margin={{ left: 24, right: 24 }}>
          <CartesianGrid horizontal={false} stroke={chart.grid} />
          <XAxis type="number" allowDecimals={false} tick={{ fontSize: 12 }} />
          <YAxis type="category" dataKey="label" width={110} tick={{ fontSize: 12 }} />
          <Tooltip cursor={{ fill: "rgba(0,0,0,0.04)" }} />
          <Bar dataKey="count" name="Identities" radius={[0, 4, 4, 0]}>
            {data.map((d, i) => (
              <Cell key={d.label} fill={chart.palette[i % chart.palette.length]} />
            ))}
          </Bar>
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
