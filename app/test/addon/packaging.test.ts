/**
 * Packaging beyond config.yaml's schema (addonFiles.test.ts): the prebuilt images and their workflow, one Node.js
 * major version everywhere, production dependencies, the Supervisor watchdog URL and the AppArmor profile.
 * Rules are ported from the Supervisor @ 090ef31 (supervisor/validate.py `docker_image`, apps/validate.py
 * `ATTR_WATCHDOG`, apps/app.py `RE_WATCHDOG`, utils/apparmor.py `RE_PROFILE`), docs/homeassistant-addon.md.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import dockerfileUtils from 'dockerfile-utils';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { INGRESS_PORT } from '../../src/config/addon.js';
import type { LiveSource } from '../../src/contract/dto.js';
import { buildServer } from '../../src/web/server.js';

type Obj = Record<string, unknown>;
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const readText = (rel: string): string => readFileSync(path.join(ROOT, rel), 'utf8');
const readYaml = (rel: string): Obj => parse(readText(rel), { version: '1.1' }) as Obj;
const readJson = (rel: string): Obj => JSON.parse(readText(rel)) as Obj;

const config = readYaml('config.yaml');
const dockerfile = readText('Dockerfile');
const WORKFLOW = '.github/workflows/image.yaml';
/** GitHub reads workflows as YAML 1.2 (in YAML 1.1 `on` would be a boolean and `.` a number). */
const workflow = parse(readText(WORKFLOW)) as Obj;

/** supervisor/validate.py `_RE_IMAGE_PATH_COMPONENT`; the registry part must be a lowercase domain. */
const RE_IMAGE_PATH_COMPONENT = /^[a-z0-9{][a-z0-9.\-_{}]*$/;
/** supervisor/apps/validate.py, schema of `watchdog`. */
const RE_WATCHDOG_SCHEMA = /^(?:https?|\[PROTO:\w+\]|tcp):\/\/\[HOST\]:(\[PORT:\d+\]|\d+).*$/;
/** supervisor/apps/app.py `RE_WATCHDOG`, what the watchdog task parses. */
const RE_WATCHDOG = /^(?:(?<prefix>https?|tcp)|\[PROTO:(?<proto>\w+)\]):\/\/\[HOST\]:(?:\[PORT:)?(?<port>\d+)\]?(?<path>.*)$/;
/** supervisor/utils/apparmor.py `RE_PROFILE`, applied per line. */
const RE_PROFILE = /^profile ([^ ]+).*$/;

describe('prebuilt images', () => {
  const image = String(config.image);

  it('config.yaml names an image per architecture, without tag, as the Supervisor validates it', () => {
    expect(image).toContain('{arch}');
    const [registry, ...components] = image.split('/');
    expect(registry).toBe(registry?.toLowerCase());
    expect(registry).toMatch(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/);
    expect(components.length).toBeGreaterThanOrEqual(2);
    for (const c of components) expect(c).toMatch(RE_IMAGE_PATH_COMPONENT);
    expect(image).not.toMatch(/:[^/]*$/);
    for (const arch of config.arch as string[]) expect(image.replace('{arch}', arch)).toMatch(new RegExp(`/${arch}-`));
  });

  const on = workflow.on as Obj;
  const jobs = workflow.jobs as Record<string, Obj>;
  const build = jobs.build as Obj;
  const steps = (build.steps as Obj[]) ?? [];
  const buildStep = steps.find((s) => String(s.uses ?? '').startsWith('docker/build-push-action@'));
  const withs = (buildStep?.with ?? {}) as Obj;

  it('the workflow builds on tags and pull requests, and pushes only for tags', () => {
    expect(((on.push as Obj).tags as string[]).some((t) => t.startsWith('v'))).toBe(true);
    expect('pull_request' in on).toBe(true);
    expect(String((build.env as Obj).PUBLISH)).toBe("${{ github.event_name == 'push' && github.ref_type == 'tag' }}");
    expect(withs.push).toBe("${{ env.PUBLISH == 'true' }}");
    const login = steps.find((s) => String(s.uses ?? '').startsWith('docker/login-action@'));
    expect(login?.if).toBe("env.PUBLISH == 'true'");
  });

  it('the workflow builds exactly the config arches natively, from the Dockerfile, with the build args the Supervisor passes', () => {
    const matrix = ((build.strategy as Obj).matrix as Obj).include as Obj[];
    expect(matrix.map((m) => m.arch).sort()).toEqual([...(config.arch as string[])].sort());
    const platformOf: Record<string, string> = { amd64: 'linux/amd64', aarch64: 'linux/arm64' };
    for (const m of matrix) expect(m.platform).toBe(platformOf[String(m.arch)]);
    expect(withs.context).toBe('.');
    expect(withs.file).toBe('Dockerfile');
    expect(String(withs['build-args'])).toMatch(/^BUILD_ARCH=\$\{\{ matrix\.arch \}\}$/m);
    expect(String(withs['build-args'])).toMatch(/^BUILD_VERSION=\$\{\{ needs\.prepare\.outputs\.version \}\}$/m);
    // the image name and version come from config.yaml, and a tag must equal the version
    const prepare = ((jobs.prepare?.steps as Obj[]) ?? []).map((s) => String(s.run ?? '')).join('\n');
    expect(prepare).toContain("yq -r '.image' config.yaml");
    expect(prepare).toContain("yq -r '.version' config.yaml");
    expect(prepare).toContain('"$GITHUB_REF_NAME" != "v${version}"');
  });

  it('every run: script of the workflow is shellcheck-clean', () => {
    const scripts = Object.values(jobs).flatMap((job) => ((job.steps as Obj[]) ?? []).filter((s) => typeof s.run === 'string').map((s) => String(s.run)));
    expect(scripts.length).toBeGreaterThan(0);
    for (const script of scripts) {
      // GitHub substitutes ${{ }} before bash runs; stand in a plain word for it
      const text = `#!/usr/bin/env bash\n${script.replace(/\$\{\{[^}]*\}\}/g, 'EXPRESSION')}`;
      const r = spawnSync('shellcheck', ['--shell=bash', '-'], { input: text, encoding: 'utf8' });
      expect(r.error, 'shellcheck must be installed').toBeUndefined();
      expect(r.stdout + r.stderr, script).toBe('');
    }
  });

  it('the Dockerfile has no problem dockerfile-utils (the VS Code Docker linter) reports', () => {
    const diagnostics = dockerfileUtils.validate(dockerfile).map((d) => `line ${d.range.start.line + 1}: ${d.message}`);
    expect(diagnostics).toEqual([]);
  });
});

describe('one Node.js major version: image, engines, CI, README', () => {
  const major = readText('.nvmrc').trim();

  it('.nvmrc, the Dockerfile, package.json engines and .ci/run agree', () => {
    expect(major).toMatch(/^\d+$/);
    expect(/^ARG NODE_MAJOR=(\d+)$/m.exec(dockerfile)?.[1]).toBe(major);
    const installs = dockerfile.split('\n').filter((l) => /apk add\b/.test(l) && /\bnodejs\b/.test(l));
    expect(installs.length).toBe(2); // build and runtime stage
    for (const l of installs) expect(l).toContain('"nodejs~${NODE_MAJOR}"');
    const engines = String((readJson('package.json').engines as Obj).node);
    expect(engines).toMatch(new RegExp(`^\\^${major}\\.\\d+\\.\\d+$`));
    expect(readText('.ci/run')).toContain('.nvmrc');
  });

  it('README and DOCS name that version and no other', () => {
    for (const doc of ['README.md', 'DOCS.md']) {
      const named = [...readText(doc).matchAll(/Node(?:\.js)? (\d+)/g)].map((m) => m[1]);
      expect(named.length, doc).toBeGreaterThan(0);
      expect(new Set(named), doc).toEqual(new Set([major]));
    }
  });

  it('production dependencies are only what the backend imports at run time', () => {
    const sources = (dir: string): string[] =>
      readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? sources(`${dir}/${e.name}`) : e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [readText(`${dir}/${e.name}`)] : [],
      );
    const backend = sources('app/src').join('\n');
    expect(readJson('package.json').dependencies).toBeUndefined();
    expect(readJson('ui/package.json').dependencies).toBeUndefined(); // the panel is bundled by Vite at build time
    const deps = Object.keys((readJson('app/package.json').dependencies as Obj) ?? {});
    expect(deps.length).toBeGreaterThan(0);
    for (const dep of deps) expect(backend, dep).toMatch(new RegExp(`from '${dep.replace('/', '\\/')}(?:/[^']*)?'`));
  });
});

describe('Supervisor watchdog', () => {
  const url = String(config.watchdog);
  const m = RE_WATCHDOG.exec(url);

  it('config.yaml has a watchdog URL the Supervisor accepts, on the ingress port, at api/watchdog', () => {
    expect(url).toMatch(RE_WATCHDOG_SCHEMA);
    expect(m?.groups?.prefix).toBe('http');
    expect(Number(m?.groups?.port)).toBe(INGRESS_PORT);
    expect(url).toContain(`[PORT:${INGRESS_PORT}]`);
    expect(m?.groups?.path).toBe('/api/watchdog');
    expect(config).not.toHaveProperty('ports'); // with host_network + ports the Supervisor would call another port
  });

  it('the Docker HEALTHCHECK calls the same endpoint on loopback', () => {
    expect(dockerfile).toMatch(new RegExp(`CMD curl -fsS http://127\\.0\\.0\\.1:${INGRESS_PORT}${m?.groups?.path ?? 'x'} \\|\\| exit 1`));
  });

  it('the endpoint exists and answers the Supervisor (172.30.32.2) through the ingress guard', async () => {
    const source = { snapshot: () => ({}), subscribe: () => () => {} } as unknown as LiveSource;
    const app = buildServer({ source, addonMode: true, uiDir: '/nonexistent', version: 't', watchdog: { verdict: () => ({ ok: true, problems: [] }) } });
    const res = await app.inject({ url: m?.groups?.path ?? 'x', remoteAddress: '172.30.32.2' });
    expect(res.statusCode).toBe(200);
    await app.close();
  });
});

describe('AppArmor profile (apparmor.txt)', () => {
  const profile = readText('apparmor.txt');
  const lines = profile.split('\n').map((l) => l.replace(/#.*$/, '').trim());
  const start = profile.split('\n').findIndex((l) => /^\s+profile node\b/.test(l));
  const childLines = profile.split('\n').slice(start).map((l) => l.replace(/#.*$/, '').trim());
  const childEnd = childLines.indexOf('}');
  const child = childLines.slice(0, childEnd + 1);
  const main = lines.slice(0, start);

  it('is active (apparmor not switched off) and has exactly one top-level profile, named like the slug', () => {
    expect(config.apparmor).not.toBe(false);
    const names = profile.split('\n').flatMap((l) => RE_PROFILE.exec(l)?.[1] ?? []);
    expect(names).toEqual([config.slug]);
    expect(profile).toMatch(/^#include <tunables\/global>$/m);
  });

  it('lets the base image start: s6-overlay, bashio, /run.sh, and the HEALTHCHECK connect', () => {
    for (const rule of ['/init ix,', '/command/** ix,', '/package/** ix,', '/usr/lib/bashio/** ix,', '/run.sh ix,', '/usr/bin/** ix,', 'network inet stream,']) {
      expect(main, rule).toContain(rule);
    }
    expect(main).toContain('/usr/bin/node cx -> node,');
  });

  it('confines the Node.js process to the application, /data, serial devices and sockets', () => {
    expect(start).toBeGreaterThan(0);
    for (const rule of [
      '/opt/smart-meter-reader/** r,',
      '/opt/smart-meter-reader/node_modules/**.node mr,',
      '/data/** rwk,',
      '/dev/tty* rwk,',
      '/dev/serial/by-id/* r,',
      'network inet stream,',
      'network inet6 stream,',
      'signal (receive) peer=*_smart_meter_reader,',
    ]) {
      expect(child, rule).toContain(rule);
    }
    // nothing else: no blanket file access, no capabilities, no programs to execute, no mounts or raw sockets
    expect(child).not.toContain('file,');
    expect(child.filter((l) => /^(capability|mount|ptrace|change_profile)\b/.test(l))).toEqual([]);
    expect(child.filter((l) => /\s[a-z]*[ixpuc]x[a-z]*,$/.test(l) || /\bix\b|\bpx\b|\bux\b|\bcx\b/.test(l))).toEqual([]);
    expect(child.filter((l) => /^network\b/.test(l) && /\braw\b/.test(l) && !/netlink raw/.test(l))).toEqual([]);
  });

  it('compiles with apparmor_parser (Debian apparmor)', () => {
    const r = spawnSync('apparmor_parser', ['--skip-kernel-load', '--skip-cache', path.join(ROOT, 'apparmor.txt')], { encoding: 'utf8' });
    expect(r.error, 'apparmor_parser must be installed (.ci/run installs Debian apparmor)').toBeUndefined();
    expect(r.stderr.split('\n').filter((l) => l !== '' && !/Cache read\/write disabled/.test(l))).toEqual([]);
    expect(r.status).toBe(0);
  });
});
