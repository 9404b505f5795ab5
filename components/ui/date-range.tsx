/** From and To date inputs of a GET filter form; the values travel in the URL. */
export function DateRangeFields({ from, to, inputClass }: { from?: string; to?: string; inputClass: string }) {
  return (
    <>
      <label className="flex flex-col text-xs font-medium text-slate-600">
        From
        <input type="date" name="from" defaultValue={from} className={inputClass} />
      </label>
      <label className="flex flex-col text-xs font-medium text-slate-600">
        To
        <input type="date" name="to" defaultValue={to} className={inputClass} />
      </label>
    </>
  );
}
