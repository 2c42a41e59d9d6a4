// The status board: a client of the public control API (/api/v1), rendered with preact + htm (served
// by the runtime from node_modules, no build step), refreshed on each server-sent event from
// /board/events. Hash routes: `#/` the overview, `#/transient/<name>` a transient's page.
import { html, render, useCallback, useEffect, useMemo, useState } from '/board/vendor/preact-htm.js'

const API = '/api/v1'
const PAGE = 25
const TOKEN_KEY = 'blast-tasks-token'

let token = sessionStorage.getItem(TOKEN_KEY) ?? ''

async function api (path, { method = 'GET', body } = {}) {
  const headers = {}
  if (token) headers.authorization = `Bearer ${token}`
  if (body !== undefined) headers['content-type'] = 'application/json'
  const res = await fetch(API + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
  if (res.status === 204) return null
  const json = await res.json()
  if (!res.ok) throw new Error(`${json.code}: ${json.message}`)
  return json
}

const enc = encodeURIComponent
const when = (iso) => (iso ? new Date(iso).toLocaleString() : '—')
const ms = (n) => (n == null ? '—' : n < 1000 ? `${Math.round(n)} ms` : `${(n / 1000).toFixed(1)} s`)

/** a change signal from the server; returns a counter that moves on each event, and whether it is connected */
function useLive () {
  const [tick, setTick] = useState(0)
  const [on, setOn] = useState(false)
  useEffect(() => {
    const source = new EventSource('/board/events')
    source.onopen = () => setOn(true)
    source.onerror = () => setOn(false)
    source.addEventListener('change', () => setTick((n) => n + 1))
    return () => source.close()
  }, [])
  return { tick, on }
}

function useData (load, deps) {
  const [state, setState] = useState({ data: null, error: null })
  useEffect(() => {
    let live = true
    load().then((data) => live && setState({ data, error: null }), (error) => live && setState((s) => ({ data: s.data, error: error.message })))
    return () => { live = false }
  }, deps)
  return state
}

const Badge = ({ type, children, title }) => html`<span class="badge t-${type ?? 'blank'}" title=${title}>${children}</span>`

function Status ({ types, status, onClick }) {
  if (onClick) return html`<button class="badge cell t-${types[status] ?? 'blank'}" onClick=${onClick}>${status}</button>`
  return html`<${Badge} type=${types[status]}>${status}<//>`
}

function TokenBox ({ onChange }) {
  const [value, setValue] = useState(token)
  const save = (e) => {
    e.preventDefault()
    token = value.trim()
    sessionStorage.setItem(TOKEN_KEY, token)
    onChange(token)
  }
  return html`<form onSubmit=${save}>
    <input type="password" autocomplete="off" placeholder="API token (for actions)" aria-label="API token" value=${value} onInput=${(e) => setValue(e.target.value)} />
    <button type="submit">${token ? 'Change token' : 'Use token'}</button>
  </form>`
}

function Tasks ({ tasks, types, hour, act }) {
  return html`<section id="tasks"><h2>Tasks</h2><table>
    <thead><tr><th>Task</th><th>Enabled</th><th>Registers by status</th><th>Last hour</th><th>Last sweep</th><th>Next sweep</th><th></th></tr></thead>
    <tbody>${tasks.map((t) => html`<tr data-task=${t.name}>
      <td><strong>${t.name}</strong><div class="muted">${t.kind}</div></td>
      <td><label><input type="checkbox" class="toggle" checked=${t.enabled.effective}
        onChange=${(e) => act(() => api(`/tasks/${enc(t.name)}`, { method: 'PATCH', body: { enabled: e.target.checked } }))} /> ${t.enabled.effective ? 'on' : 'off'}</label></td>
      <td>${Object.entries(t.counts).sort().map(([status, n]) => html`<${Badge} type=${types[status]}>${status}: ${n}<//>`)}</td>
      <td>${hour[t.name]?.runs ?? 0} runs, <span class=${hour[t.name]?.failures ? 'message' : ''}>${hour[t.name]?.failures ?? 0} failed</span></td>
      <td>${when(t.last_sweep_at)}</td>
      <td>${when(t.next_sweep_at)}</td>
      <td class="actions"><button onClick=${() => act(() => api(`/tasks/${enc(t.name)}/run`, { method: 'POST', body: {} }))}>Run now</button></td>
    </tr>`)}</tbody></table></section>`
}

function Cell ({ name, task, types, tick }) {
  const { data: runs } = useData(() => api(`/runs?transient=${enc(name)}&task=${enc(task.task)}&limit=20`), [name, task.task, tick])
  return html`<div class="panel ${types[task.status] === 'error' ? 'error' : ''}" id="cell-panel">
    <strong>${name} · ${task.task}</strong>: <${Status} types=${types} status=${task.status} /> · attempts ${task.attempts} · updated ${when(task.updated_at)}
    ${task.last_error && html`<div>Last error:<pre class="message last-error">${task.last_error}</pre></div>`}
    ${task.output != null && html`<div>Output:<pre>${JSON.stringify(task.output, null, 2)}</pre></div>`}
    <div>Runs: ${(runs?.items ?? []).map((r) => html`<div>${when(r.started_at)} <${Status} types=${types} status=${r.status} /> ${ms(r.duration_ms)} ${r.error && html`<span class="message">${r.error}</span>`}</div>`)}</div>
  </div>`
}

function Matrix ({ tasks, statuses, types, tick }) {
  const transientTasks = tasks.filter((t) => t.kind === 'transient')
  const [filter, setFilter] = useState({ task: '', status: '', status_type: '', processing_status: '' })
  const [search, setSearch] = useState('')
  const [cursors, setCursors] = useState([null])
  const [open, setOpen] = useState(null)
  const cursor = cursors[cursors.length - 1]
  const query = Object.entries({ ...filter, limit: PAGE, cursor }).filter(([, v]) => v !== '' && v != null).map(([k, v]) => `${k}=${enc(v)}`).join('&')
  const { data, error } = useData(async () => {
    const page = await api(`/transients?${query}`)
    const details = await Promise.all(page.items.map((x) => api(`/transients/${enc(x.name)}`)))
    return { rows: details, next: page.next_cursor }
  }, [query, tick])
  const set = (key) => (e) => { setFilter({ ...filter, [key]: e.target.value }); setCursors([null]) }
  const rows = (data?.rows ?? []).filter((x) => x.name.toLowerCase().includes(search.toLowerCase()))
  const find = (e) => { e.preventDefault(); if (search) location.hash = `#/transient/${enc(search)}` }
  const opened = open && data?.rows.find((x) => x.name === open.name)?.tasks.find((r) => r.task === open.task)
  return html`<section id="matrix"><h2>Transients × tasks</h2>
    <div class="filters">
      <select aria-label="task" onChange=${set('task')}><option value="">any task</option>${transientTasks.map((t) => html`<option>${t.name}</option>`)}</select>
      <select aria-label="status" onChange=${set('status')}><option value="">any status</option>${statuses.map((s) => html`<option>${s.message}</option>`)}</select>
      <select aria-label="status type" onChange=${set('status_type')}><option value="">any status type</option>${['blank', 'success', 'warning', 'error'].map((s) => html`<option>${s}</option>`)}</select>
      <select aria-label="processing status" onChange=${set('processing_status')}><option value="">any processing status</option>${['processing', 'blocked', 'completed'].map((s) => html`<option>${s}</option>`)}</select>
      <form onSubmit=${find}><input type="search" aria-label="search by name" placeholder="name (Enter opens it)" value=${search} onInput=${(e) => setSearch(e.target.value)} /></form>
    </div>
    ${error && html`<p class="message">${error}</p>`}
    <table><thead><tr><th>Transient</th><th>Progress</th>${transientTasks.map((t) => html`<th>${t.name}</th>`)}</tr></thead>
    <tbody>${rows.map((x) => html`<tr data-transient=${x.name}>
      <td><a href="#/transient/${enc(x.name)}">${x.name}</a><div class="muted">${x.processing_status}</div></td>
      <td><span class="bar"><span style=${`width:${x.progress}%`}></span></span> ${x.progress}%</td>
      ${transientTasks.map((t) => {
        const r = x.tasks.find((y) => y.task === t.name)
        return html`<td>${r && html`<${Status} types=${types} status=${r.status} onClick=${() => setOpen({ name: x.name, task: t.name })} />`}</td>`
      })}
    </tr>`)}</tbody></table>
    <div class="filters">
      <button disabled=${cursors.length === 1} onClick=${() => setCursors(cursors.slice(0, -1))}>Previous</button>
      <span class="muted">page ${cursors.length}</span>
      <button disabled=${!data?.next} onClick=${() => setCursors([...cursors, data.next])}>Next</button>
    </div>
    ${opened && html`<${Cell} name=${open.name} task=${opened} types=${types} tick=${tick} />`}
  </section>`
}

function Failures ({ runs, types }) {
  const failed = runs.filter((r) => types[r.status] === 'error' || r.error)
  return html`<section id="failures"><h2>Recent failures</h2>
    ${failed.length === 0 ? html`<p class="muted">None among the latest runs.</p>` : html`<table><tbody>${failed.slice(0, 20).map((r) => html`<tr>
      <td>${when(r.finished_at ?? r.started_at)}</td>
      <td>${r.transient ? html`<a href="#/transient/${enc(r.transient)}">${r.transient}</a>` : '—'}</td>
      <td>${r.task}</td><td><${Status} types=${types} status=${r.status} /></td>
      <td><pre class="message">${r.error ?? ''}</pre></td></tr>`)}</tbody></table>`}
  </section>`
}

function TransientPage ({ name, types, tick, act }) {
  const { data: x, error } = useData(() => api(`/transients/${enc(name)}`), [name, tick])
  const { data: runs } = useData(() => api(`/runs?transient=${enc(name)}&limit=200`), [name, tick])
  if (error && !x) return html`<section><p class="message">${error}</p><a href="#/">Back</a></section>`
  if (!x) return html`<section><p class="muted">Loading ${name}…</p></section>`
  const fields = { ra_deg: x.ra_deg, dec_deg: x.dec_deg, public_timestamp: x.public_timestamp, redshift: x.redshift, created_at: x.created_at, updated_at: x.updated_at }
  return html`<section id="transient"><h2><a href="#/">Board</a> › ${x.name}</h2>
    <p><span class="bar"><span style=${`width:${x.progress}%`}></span></span> ${x.progress}% · ${x.processing_status}</p>
    <div class="actions">
      <button onClick=${() => act(() => api(`/transients/${enc(name)}/retrigger`, { method: 'POST', body: {} }))}>Retrigger</button>
      <button onClick=${() => act(() => api(`/transients/${enc(name)}/reprocess`, { method: 'POST', body: {} }))}>Reprocess</button>
    </div>
    <table><tbody>${Object.entries(fields).map(([k, v]) => html`<tr><th>${k}</th><td>${v ?? '—'}</td></tr>`)}
      <tr><th>data</th><td><pre>${JSON.stringify(x.data, null, 2)}</pre></td></tr></tbody></table>
    <h2>Registers</h2>
    <table><thead><tr><th>Task</th><th>Status</th><th>Attempts</th><th>Duration</th><th>Last error</th><th></th></tr></thead>
    <tbody>${x.tasks.map((r) => html`<tr><td>${r.task}</td><td><${Status} types=${types} status=${r.status} /></td><td>${r.attempts}</td><td>${ms(r.duration_ms)}</td>
      <td><pre class="message">${r.last_error ?? ''}</pre></td>
      <td><button onClick=${() => act(() => api(`/transients/${enc(name)}/tasks/${enc(r.task)}/reset`, { method: 'POST', body: {} }))}>Reset</button></td></tr>`)}</tbody></table>
    <h2>Runs</h2>
    <table><thead><tr><th>Started</th><th>Task</th><th>Status</th><th>Duration</th><th>Cause</th><th>Error</th></tr></thead>
    <tbody>${(runs?.items ?? []).map((r) => html`<tr><td>${when(r.started_at)}</td><td>${r.task}</td><td><${Status} types=${types} status=${r.status} /></td>
      <td>${ms(r.duration_ms)}</td><td>${r.action ?? r.cause}</td><td><pre class="message">${r.error ?? ''}</pre></td></tr>`)}</tbody></table>
  </section>`
}

function useHash () {
  const [hash, setHash] = useState(location.hash)
  useEffect(() => {
    const on = () => setHash(location.hash)
    addEventListener('hashchange', on)
    return () => removeEventListener('hashchange', on)
  }, [])
  return hash
}

function Board () {
  const { tick, on } = useLive()
  const [, setToken] = useState(token)
  const [message, setMessage] = useState('')
  const hash = useHash()
  const since = useMemo(() => new Date(Date.now() - 3600_000).toISOString(), [tick])
  const { data } = useData(async () => {
    const [tasks, statuses, recent] = await Promise.all([api('/tasks'), api('/statuses'), api(`/runs?limit=1000&since=${enc(since)}`)])
    return { tasks: tasks.items, statuses: statuses.items, recent: recent.items }
  }, [tick, since])
  const types = useMemo(() => Object.fromEntries((data?.statuses ?? []).map((s) => [s.message, s.type])), [data])
  const hour = useMemo(() => {
    const out = {}
    for (const r of data?.recent ?? []) {
      if (r.action) continue
      const h = (out[r.task] ??= { runs: 0, failures: 0 })
      h.runs++
      if (types[r.status] === 'error') h.failures++
    }
    return out
  }, [data, types])
  const act = useCallback(async (fn) => {
    if (!token) { setMessage('Enter the API token first (it is in .blast/api-token).'); return }
    try { await fn(); setMessage('') } catch (e) { setMessage(e.message) }
  }, [])
  const route = hash.startsWith('#/transient/') ? decodeURIComponent(hash.slice('#/transient/'.length)) : null
  return html`<header>
      <h1>blast-tasks</h1><a href="#/">board</a><a href="/docs">API</a>
      <span class="live ${on ? 'on' : 'off'}">${on ? 'live' : 'reconnecting'}</span>
      <span class="grow"></span><${TokenBox} onChange=${setToken} />
    </header>
    <main>
      ${message && html`<p class="message" id="message">${message}</p>`}
      ${!data ? html`<p class="muted">Loading…</p>` : route ? html`<${TransientPage} name=${route} types=${types} tick=${tick} act=${act} />` : html`
        <${Tasks} tasks=${data.tasks} types=${types} hour=${hour} act=${act} />
        <${Matrix} tasks=${data.tasks} statuses=${data.statuses} types=${types} tick=${tick} />
        <${Failures} runs=${data.recent} types=${types} />`}
    </main>`
}

const root = document.getElementById('board')
root.textContent = '' // the "Loading" placeholder: preact appends to what is there
render(html`<${Board} />`, root)
