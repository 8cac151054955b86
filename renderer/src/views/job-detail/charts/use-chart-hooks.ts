import { useEffect, useLayoutEffect, useRef, useState, type RefObject } from 'react';

/**
 * `value`, but changed at most once per `ms` (the first change at once, the last one kept):
 * the charts of a 10,000-task job are recomputed twice a second, not on every animation frame
 * of task events, so the task table keeps its frame rate while updates stream.
 */
export function useThrottled<T>(value: T, ms: number): T {
  const [shown, setShown] = useState(value);
  const last = useRef(0);
  useEffect(() => {
    if (Object.is(value, shown)) return;
    const wait = last.current + ms - performance.now();
    if (wait <= 0) {
      last.current = performance.now();
      setShown(() => value);
      return;
    }
    const timer = setTimeout(() => {
      last.current = performance.now();
      setShown(() => value);
    }, wait);
    return () => clearTimeout(timer);
  }, [value, shown, ms]);
  return shown;
}

/** The width of an element in CSS pixels, kept current as it resizes. */
export function useWidth(ref: RefObject<HTMLElement | null>, fallback: number): number {
  const [width, setWidth] = useState(fallback);
  useLayoutEffect(() => {
    const element = ref.current;
    if (!element) return;
    const fit = () => setWidth(Math.max(240, Math.floor(element.clientWidth)));
    fit();
    const observer = new ResizeObserver(fit);
    observer.observe(element);
    return () => observer.disconnect();
  }, [ref]);
  return width;
}

/** Moves focus to a chart's bar `index` (the charts' bars are one tab stop, a roving tabindex). */
export function focusBar(container: Element | null, index: number): void {
  container?.querySelector<SVGElement>(`[data-bar="${index}"]`)?.focus();
}
