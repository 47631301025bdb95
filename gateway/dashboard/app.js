// The swarmkv dashboard: polls the node's status and metrics, puts a file, gets one back by
// capability. Plain JavaScript, no framework; every request goes to this page's own origin.
"use strict";

const $ = (id) => document.getElementById(id);
const REFRESH_MS = 2000;
// Requests the dashboard's API answers only with this header: a page on another origin cannot
// send it without a CORS preflight, which the node never grants.
const DASHBOARD_HEADER = { "X-Swarmkv-Dashboard": "1" };

function authHeaders() {
  const token = sessionStorage.getItem("swarmkv-token");
  return token ? { Authorization: "Bearer " + token } : {};
}

async function call(path, options = {}) {
  const headers = Object.assign({}, DASHBOARD_HEADER, authHeaders(), options.headers || {});
  const response = await fetch(path, Object.assign({}, options, { headers }));
  if (response.status === 401) $("token-form").hidden = false;
  if (!response.ok) {
    const text = (await response.text()).trim();
    throw new Error(`${response.status}: ${text || response.statusText}`);
  }
  return response;
}

function bytes(n) {
  n = Number(n);
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return (i === 0 ? n.toString() : n.toFixed(1)) + " " + units[i];
}

function ago(unixSeconds) {
  const s = Math.max(0, Math.round(Date.now() / 1000 - Number(unixSeconds)));
  if (s < 60) return s + " s ago";
  if (s < 3600) return Math.round(s / 60) + " min ago";
  return Math.round(s / 3600) + " h ago";
}

function cell(row, text, code = false) {
  const td = row.insertCell();
  if (code) {
    const c = document.createElement("code");
    c.textContent = text;
    td.appendChild(c);
  } else {
    td.textContent = text;
  }
}

function setStatus(text, bad = false) {
  $("status-line").textContent = text;
  $("status-line").classList.toggle("bad", bad);
}

async function refreshStatus() {
  const status = await (await call("/dashboard/api/status")).json();
  const info = status.info;
  $("node-id").textContent = info.node_id;
  $("version").textContent = info.version;
  $("store-blocks").textContent = Number(info.store.blocks).toLocaleString();
  $("store-bytes").textContent = bytes(info.store.stored_bytes);
  $("store-quota").textContent = Number(info.store.quota_bytes) ? bytes(info.store.quota_bytes) : "none";
  $("store-pins").textContent = Number(info.store.pinned_roots).toLocaleString();
  const peers = status.peers;
  $("peer-count").textContent = peers.length;
  const peerRows = $("peers").tBodies[0];
  peerRows.replaceChildren();
  for (const peer of peers) {
    const row = peerRows.insertRow();
    cell(row, peer.node_id, true);
    cell(row, (peer.addresses || []).join(", "));
    cell(row, ago(peer.last_seen_unix));
  }
  const pinRows = $("pins").tBodies[0];
  pinRows.replaceChildren();
  for (const entry of status.pins) {
    const row = pinRows.insertRow();
    cell(row, entry.pin.name || "—");
    cell(row, entry.pin.cid, true);
    cell(row, entry.stat.present ? bytes(entry.stat.size) : "not here");
  }
  $("pins-more").hidden = !status.pins_truncated;
  $("pins-more").textContent = `The first ${status.pins.length} pins; swarmkv ls lists all.`;
}

// Counters of the API's calls by method, from the Prometheus text.
function callCounts(text) {
  const counts = { Put: 0, Get: 0 };
  const pattern = /^swarmkv_api_requests_total\{method="swarmkv\.v1\.Node\/(Put|Get)",[^}]*\} (\d+)/gm;
  for (const match of text.matchAll(pattern)) counts[match[1]] += Number(match[2]);
  return counts;
}

let lastCounts = null;
async function refreshRates() {
  const text = await (await call("/metrics")).text();
  const now = { at: performance.now(), counts: callCounts(text) };
  if (lastCounts) {
    const seconds = (now.at - lastCounts.at) / 1000;
    for (const method of ["Put", "Get"]) {
      const rate = (now.counts[method] - lastCounts.counts[method]) / seconds;
      $(method.toLowerCase() + "-rate").textContent = rate.toFixed(1);
    }
  }
  lastCounts = now;
}

async function refresh() {
  try {
    await Promise.all([refreshStatus(), refreshRates()]);
    setStatus("updated " + new Date().toLocaleTimeString());
  } catch (error) {
    setStatus(error.message, true);
  }
}

let chosenFile = null;
function choose(file) {
  chosenFile = file;
  $("put-button").disabled = !file;
  $("drop-zone").firstChild.textContent = file ? `${file.name} (${bytes(file.size)}) — ` : "Drop a file here, or ";
}

async function put() {
  $("put-error").hidden = true;
  $("put-button").disabled = true;
  try {
    const query = new URLSearchParams({ mode: $("mode").value, name: $("pin-name").value });
    const response = await call("/dashboard/api/put?" + query, { method: "POST", body: chosenFile });
    const stored = await response.json();
    $("put-capability").textContent = stored.capability;
    $("put-size").textContent = Number(stored.size).toLocaleString();
    $("put-replicas").textContent = stored.replicas;
    $("put-result").hidden = false;
    refresh();
  } catch (error) {
    $("put-error").textContent = "Put failed: " + error.message;
    $("put-error").hidden = false;
  } finally {
    $("put-button").disabled = !chosenFile;
  }
}

function hex(buffer) {
  return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, "0")).join("");
}

async function get() {
  $("get-error").hidden = true;
  $("get-result").hidden = true;
  try {
    const text = $("get-capability").value.trim();
    const rest = text.startsWith("swarmkv://") ? text.slice("swarmkv://".length) : text;
    const [cid, key] = rest.split("#");
    // The key travels in a header, never in the URL (docs/gateway.md).
    const response = key
      ? await call("/swarmkv/" + encodeURIComponent(cid), { headers: { "X-Swarmkv-Key": key } })
      : await call("/ipfs/" + encodeURIComponent(cid));
    const content = await response.arrayBuffer();
    $("get-size").textContent = content.byteLength.toLocaleString();
    $("get-sha256").textContent = hex(await crypto.subtle.digest("SHA-256", content));
    const link = $("get-download");
    if (link.href) URL.revokeObjectURL(link.href);
    link.href = URL.createObjectURL(new Blob([content]));
    link.download = cid;
    $("get-result").hidden = false;
  } catch (error) {
    $("get-error").textContent = "Get failed: " + error.message;
    $("get-error").hidden = false;
  }
}

function wire() {
  $("file").addEventListener("change", () => choose($("file").files[0] || null));
  const zone = $("drop-zone");
  zone.addEventListener("dragover", (e) => { e.preventDefault(); zone.classList.add("over"); });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (e) => {
    e.preventDefault();
    zone.classList.remove("over");
    if (e.dataTransfer.files.length) choose(e.dataTransfer.files[0]);
  });
  $("put-button").addEventListener("click", put);
  $("get-button").addEventListener("click", get);
  $("get-capability").addEventListener("keydown", (e) => { if (e.key === "Enter") get(); });
  $("copy-capability").addEventListener("click", () =>
    navigator.clipboard.writeText($("put-capability").textContent));
  $("token-form").addEventListener("submit", (e) => {
    e.preventDefault();
    sessionStorage.setItem("swarmkv-token", $("token").value);
    $("token-form").hidden = true;
    refresh();
  });
  refresh();
  setInterval(refresh, REFRESH_MS);
}

document.addEventListener("DOMContentLoaded", wire);
