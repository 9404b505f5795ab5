import { PageHeader } from "./page-header";

/** A section of the product that exists in the navigation but is not built yet, said plainly. */
export function NotBuilt({ title, purpose, coming }: { title: string; purpose: string; coming: string[] }) {
  return (
    <>
      <PageHeader title={title} description={purpose} />
      <div className="rounded-lg border border-dashed border-slate-300 bg-white p-6" data-testid="not-built">
        <p className="font-medium">Not built yet.</p>
        <p className="mt-1 text-sm text-slate-600">This section will cover:</p>
        <ul className="mt-2 list-disc pl-5 text-sm text-slate-700">
          {coming.map((c) => (
            <li key={c}>{c}</li>
          ))}
        </ul>
      </div>
    </>
  );
}
