import type { TreeNodeDto } from '../../api/contract.js';
import s from './style.module.css';

function Node({ node }: { node: TreeNodeDto }) {
  const head = (
    <>
      <span class={s.type}>{node.type}</span>
      {node.obis && <span class={s.obis}>{node.obis}</span>}
      {node.raw !== undefined && <span class="mono">{node.raw}</span>}
      {node.scaled && <span class={s.scaled}>= {node.scaled}</span>}
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
