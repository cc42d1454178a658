import { useLayoutEffect, useRef, useState } from 'preact/hooks';

/** A ref for a host element and its current width in px, kept up to date by a ResizeObserver (for the SVG charts). */
export function useWidth<T extends HTMLElement>() {
  const host = useRef<T>(null);
  const [width, setWidth] = useState(0);
  useLayoutEffect(() => {
    const el = host.current!;
    const measure = () => setWidth(el.clientWidth);
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  return { host, width };
}
