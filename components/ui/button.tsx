import type { ButtonHTMLAttributes, ReactNode } from "react";

/**
 * The product's buttons, one set of classes: `primary` for a page's main
 * action, `secondary` beside it, `confirm` to sign something off, `danger` to confirm something that cannot be
 * taken back, `outline` to open a form in place, `small` inside table rows.
 */
export type ButtonVariant = "primary" | "secondary" | "confirm" | "danger" | "danger-outline" | "outline" | "small";

const variants: Record<ButtonVariant, string> = {
  primary: "rounded-md bg-brand-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-brand-700",
  secondary: "rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm hover:bg-slate-100",
  confirm: "rounded-md bg-emerald-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-emerald-700",
  danger: "rounded-md bg-rose-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-rose-800",
  "danger-outline": "rounded-md border border-rose-300 bg-white px-3 py-1.5 text-sm text-rose-700 hover:bg-rose-50",
  outline: "rounded-md border border-brand-600 px-3 py-1 text-sm font-medium text-brand-700 hover:bg-brand-50",
  small: "rounded-md border border-slate-300 px-2 py-0.5 text-xs hover:bg-slate-100",
};

export const buttonClass = (variant: ButtonVariant = "secondary", className = "") => `${variants[variant]} disabled:opacity-50 ${className}`.trim();

export type ButtonProps = ButtonHTMLAttributes<HTMLButtonElement> & {
  variant?: ButtonVariant;
  /** While true the button is disabled, marked busy and reads `pendingLabel`. */
  pending?: boolean;
  pendingLabel?: ReactNode;
};

/** A button of the product's look; `type` defaults to "button" (a form's submit says so). */
export function Button({ variant, pending = false, pendingLabel, className, disabled, children, type = "button", ...rest }: ButtonProps) {
  return (
    <button type={type} className={buttonClass(variant, className)} disabled={disabled || pending} aria-busy={pending || undefined} {...rest}>
      {pending && pendingLabel ? pendingLabel : children}
    </button>
  );
}
