import type { TreeNodeDto } from '../../api/contract.js';
import * as f from '../../lib/format.js';
import s from './style.module.css';

/** The scaled value of a node in the user's language (decimal comma in German), or its clock. */
function scaledOf(node: TreeNodeDto): string | null {
  if (node.time) return f.dateTime(node.time);
  if (node.value === undefined) return null;
  return f.reading(node.value, node.unit ?? null);
}

function Node({ node }: { node: TreeNodeDto }) {
  const scaled = scaledOf(node);
  const head = (
    <>
      <span class={s.type}>{node.type}</span>
      {node.obis && <span class={s.obis}>{node.obis}</span>}
      {node.raw !== undefined && <span class="mono">{node.raw}</span>}
      {node.num !== undefined && <span class="mono">{f.number(node.num)}</span>}
      {scaled !== null && <span class={s.scaled}>= {scaled}</span>}
    </>
  );
  if (!node.children?.length) return <li class={s.leaf}>{head}</li>;
  return (
    <li>
      <details open>
        <summary>{head}</summary>
        <ul class={s.tree}>
          {node.children.map((c, i) => (
            <Node key={i} node={c} />
          ))}
        </ul>
      </details>
    </li>
  );
}

/** The decrypted A-XDR tree with OBIS codes and scaled values. */
export function AxdrTree({ root }: { root: TreeNodeDto }) {
  return (
    <ul class={s.tree} data-testid="axdr-tree">
      <Node node={root} />
    </ul>
  );
}
