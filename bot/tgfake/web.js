"use strict";
// The playground page: one pane per fake person, each a Telegram-like chat
// with the bot. web-play.js adds the playground's own extras (clock,
// panel, posters, Scan) when the program around the fake offers them.

// Show script errors on the page: the playground has no console open.
function showError(msg) { const e = document.getElementById("err"); e.textContent = msg; e.hidden = false; }
window.addEventListener("error", e => showError(e.message));
window.addEventListener("unhandledrejection", e => showError(String(e.reason && e.reason.stack || e.reason)));

let version = 0, users = [], panes = [], quiet = true; // quiet: no toasts for answers older than the page
let selected = -1; // the selected customer pane (the panel and Scan follow it)
let timeZone = ""; // the bot's business time zone, when the program says (else the browser's)
const seenAnswers = new Set();
// Extension points for web-play.js.
const hooks = {pane: [], refreshed: [], select: [], tabs: []};

async function api(method, path, body) {
  const r = await fetch(path, {method, headers: {"Content-Type": "application/json"}, body: body ? JSON.stringify(body) : undefined});
  if (!r.ok) throw new Error(await r.text());
  return r.json();
}

function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k.startsWith("on")) e.addEventListener(k.slice(2), v); else if (v !== undefined && v !== null) e.setAttribute(k, v);
  }
  for (const k of kids) if (k !== null && k !== undefined) e.append(k);
  return e;
}

function toast(where, text, alert) {
  const t = el("div", {class: "toast" + (alert ? " alert" : "")}, text);
  where.append(t);
  setTimeout(() => t.remove(), alert ? 6000 : 4000);
}

const isCustomer = p => /^Customer/.test(p.role);

// renderHTML keeps only Telegram's tags and safe links; everything else
// becomes text. DOMParser never runs scripts, and we rebuild every node.
const allowed = {b:"b", strong:"b", i:"i", em:"i", u:"u", ins:"u", s:"s", strike:"s", del:"s", code:"code", pre:"pre", a:"a", "tg-spoiler":"span", span:"span", blockquote:"blockquote"};
function renderHTML(src) {
  const doc = new DOMParser().parseFromString("<div>" + src + "</div>", "text/html");
  const walk = (node, out) => {
    for (const n of node.childNodes) {
      if (n.nodeType === 3) { out.append(n.textContent); continue; }
      if (n.nodeType !== 1) continue;
      const tag = allowed[n.tagName.toLowerCase()];
      if (!tag) { walk(n, out); continue; }
      const e = document.createElement(tag);
      if (tag === "a") {
        const href = n.getAttribute("href") || "";
        if (/^(https?:|tg:)/i.test(href)) { e.href = href; e.target = "_blank"; e.rel = "noopener"; }
      }
      walk(n, e);
      out.append(e);
    }
  };
  const out = document.createElement("span");
  walk(doc.body.firstChild, out);
  return out;
}

function renderText(text, mode) {
  if (!text) return null;
  if ((mode || "").toLowerCase() === "html") return renderHTML(text);
  return el("span", {}, text);
}

// startPayload returns the payload of a bot deep link
// (https://t.me/<bot>?start=<payload>), or "" for anything else.
function startPayload(link) {
  let u;
  try { u = new URL(link); } catch (e) { return ""; }
  if (!/^https?:$/.test(u.protocol) || !/^(t|telegram)\.me$/i.test(u.hostname)) return "";
  const p = u.searchParams.get("start") || "";
  return /^[A-Za-z0-9_-]{1,64}$/.test(p) ? p : "";
}

function flash(q) {
  q.dom.root.classList.add("flash");
  setTimeout(() => q.dom.root.classList.remove("flash"), 800);
}

// sendStart opens a deep link as pane j's user would: Telegram sends the
// bot "/start <payload>" in that person's chat.
async function sendStart(j, payload) {
  const q = panes[j];
  q.scrollUntil = Date.now() + 3000; // follow the bot's answer
  flash(q);
  showTab(j);
  await act(q.id, "text", {text: "/start " + payload});
}

// Choosers ("open as: …") stay open across re-renders while their key is here.
const openChoosers = new Set();
function chooser(key, payload) {
  const box = el("span", {class: "chooser"}, "open as:");
  box.hidden = !openChoosers.has(key);
  panes.forEach((q, j) => {
    if (j > 0) box.append("|");
    box.append(el("button", {title: "send /start " + payload + " as " + q.role, onclick: e => {
      e.preventDefault(); e.stopPropagation();
      openChoosers.delete(key); box.hidden = true;
      sendStart(j, payload);
    }}, q.role));
  });
  return box;
}
function toggleChooser(key, box) {
  if (openChoosers.has(key)) openChoosers.delete(key); else openChoosers.add(key);
  box.hidden = !openChoosers.has(key);
}

// linkify turns bot deep links in rendered text (plain URLs and <a> tags)
// into links that offer to open them as one of the panes' users. It only
// splits text nodes and adds elements; the text itself is never parsed.
const linkRe = /https?:\/\/(?:t|telegram)\.me\/[^\s<>"']+/gi;
function linkify(root, keyBase) {
  let n = 0;
  const deepLink = (a, payload) => {
    const key = keyBase + ":" + (n++);
    const box = chooser(key, payload);
    a.classList.add("deeplink");
    a.removeAttribute("target");
    a.title = "open as one of the playground's users";
    a.addEventListener("click", e => { e.preventDefault(); toggleChooser(key, box); });
    a.after(box);
  };
  const walk = node => {
    for (const c of [...node.childNodes]) {
      if (c.nodeType === 1) {
        if (c.tagName === "A") { const p = startPayload(c.getAttribute("href") || ""); if (p) deepLink(c, p); }
        else walk(c);
        continue;
      }
      if (c.nodeType !== 3) continue;
      const text = c.textContent, frag = document.createDocumentFragment(), links = [];
      let last = 0;
      for (const mt of text.matchAll(linkRe)) {
        const url = mt[0].replace(/[.,;:!?)\]]+$/, ""), payload = startPayload(url);
        if (!payload) continue;
        frag.append(text.slice(last, mt.index));
        const a = el("a", {href: url}, url);
        frag.append(a);
        links.push([a, payload]);
        last = mt.index + url.length;
      }
      if (!links.length) continue;
      frag.append(text.slice(last));
      c.replaceWith(frag);
      for (const [a, p] of links) deepLink(a, p);
    }
  };
  walk(root);
  return root;
}

// Decoded QR codes of photos by URL: {text}, null (no QR) or a pending Promise.
const qrCache = new Map();
function photoQR(url) {
  if (!qrCache.has(url)) {
    qrCache.set(url, fetch(url + "/qr").then(async r => {
      const v = r.ok ? await r.json() : r.status === 404 ? null : undefined;
      if (v === undefined) qrCache.delete(url); else qrCache.set(url, v);
      return v;
    }, () => { qrCache.delete(url); }));
  }
  return qrCache.get(url);
}

// scanButtons fills slot with "📷 Scan as …" for every other pane once the
// photo's QR code turns out to be a bot deep link: a phone camera pointed at
// the picture.
function scanButtons(i, url, slot) {
  const fill = v => {
    const payload = v && startPayload(v.text);
    if (!payload) return;
    slot.title = v.text;
    // A card is scanned by staff; an invitation by anyone.
    const who = panes.map((_, j) => j).filter(j => j !== i && !(payload.startsWith("c_") && isCustomer(panes[j])));
    slot.replaceChildren(...who.map(j => el("button", {title: "send /start " + payload + " as " + panes[j].role,
      onclick: () => sendStart(j, payload)}, "📷 Scan as " + panes[j].role)));
  };
  const v = photoQR(url);
  if (v instanceof Promise) v.then(fill); else fill(v);
}

function renderMessage(i, chatID, m) {
  const box = el("div", {class: "msg " + (m.from_bot ? "bot" : "me"), "data-id": m.id});
  if (m.photo) {
    // Keep the newest message in view once the picture has its height.
    const img = el("img", {src: m.photo, alt: "photo"});
    img.addEventListener("load", () => { const log = box.parentElement; if (log && log.lastChild === box) log.scrollTop = log.scrollHeight; });
    box.append(img);
    if (m.from_bot) { const slot = el("div", {class: "scan"}); box.append(slot); scanButtons(i, m.photo, slot); }
  }
  else if (m.has_photo) box.append("📷 photo\n");
  if (m.document) box.append(el("a", {class: "doc", href: m.document.url, download: m.document.file_name}, "📎 " + m.document.file_name + " ⬇"), "\n");
  if (m.sticker) box.append(el("span", {style: "font-size:48px"}, "👍"));
  if (m.contact) box.append("📇 " + m.contact.first_name + " " + m.contact.phone);
  if (m.venue) box.append(el("a", {class: "doc", href: m.venue.map, target: "_blank", rel: "noopener"},
    "📍 " + (m.venue.title ? m.venue.title + "\n" + m.venue.address : "location") + " ↗"), "\n");
  for (const [k, t] of [["t", m.text], ["c", m.caption]]) {
    const r = renderText(t, m.parse_mode);
    if (r) box.append(linkify(r, i + ":" + m.id + ":" + k));
  }
  if (m.inline && m.inline.length) {
    const kb = el("div", {class: "ikb"});
    const urlButton = (b, key) => {
      const payload = startPayload(b.URL);
      if (!payload) return el("button", {onclick: () => window.open(b.URL, "_blank")}, b.Text + " ↗");
      const box = chooser(key, payload);
      return el("span", {style: "flex:1; display:flex; flex-direction:column; gap:2px"},
        el("button", {title: b.URL, onclick: () => toggleChooser(key, box)}, b.Text + " ↗"), box);
    };
    m.inline.forEach((row, r) => {
      kb.append(el("div", {class: "row"}, ...row.map((b, c) => b.URL
        ? urlButton(b, i + ":" + m.id + ":b" + r + "." + c)
        : el("button", {onclick: () => act(chatID, "tap", {message_id: m.id, label: b.Text})}, b.Text))));
    });
    box.append(kb);
  }
  const t = new Date(m.date * 1000).toLocaleTimeString("en-GB", {hour: "2-digit", minute: "2-digit", timeZone: timeZone || undefined});
  box.append(el("div", {class: "meta"}, (m.edited ? "edited " : "") + t));
  return box;
}

async function act(chatID, what, body) {
  try { await api("POST", "/api/chats/" + chatID + "/" + what, body || {}); }
  catch (e) { alert(e.message); }
}

function selectPane(i) {
  if (!isCustomer(panes[i]) || selected === i) return;
  selected = i;
  panes.forEach((q, j) => q.dom.root.classList.toggle("selected", j === i));
  hooks.select.forEach(f => f(i));
}

function buildPane(i) {
  const p = panes[i];
  const root = el("section", {class: "pane", "data-role": p.role, onpointerdown: () => selectPane(i)});
  const sel = el("select", {onchange: () => { if (sel.value === "new") { add.classList.add("open"); sel.value = p.id; } else { p.id = +sel.value; refreshPane(i, true); hooks.select.forEach(f => f(selected)); } }});
  const name = el("input", {placeholder: "name", size: 8});
  const lang = el("input", {placeholder: "lang", size: 3, value: "ru"});
  const add = el("div", {class: "add"}, name, lang, el("button", {onclick: async () => {
    const u = await api("POST", "/api/users", {name: name.value, lang: lang.value});
    add.classList.remove("open"); name.value = ""; p.id = u.id; await loadUsers(); refreshPane(i, true);
  }}, "Add"));
  const log = el("div", {class: "log"});
  const rkb = el("div", {class: "rkb"});
  const toasts = el("div", {class: "toasts"});
  const text = el("input", {placeholder: "Message", "aria-label": "message to the bot", onkeydown: e => { if (e.key === "Enter") send(); }});
  const send = async () => { if (!text.value.trim()) return; const v = text.value; text.value = ""; p.scrollUntil = Date.now() + 2000; await act(p.id, "text", {text: v}); };
  const phone = el("input", {placeholder: "phone", "aria-label": "phone to share"});
  // Less common acts wait behind "⋯": a sticker, a contact shared unasked.
  const extra = el("div", {class: "extra", hidden: ""},
    el("button", {onclick: () => act(p.id, "sticker")}, "Send sticker"),
    el("button", {class: "share-contact", onclick: () => act(p.id, "contact", {phone: phone.value})}, "Share contact"),
    phone);
  const input = el("div", {class: "input"}, text, el("button", {class: "send", onclick: send}, "Send"),
    el("button", {class: "more", type: "button", title: "send a sticker or share a contact", onclick: () => { extra.hidden = !extra.hidden; }}, "⋯"));
  root.append(
    el("div", {class: "top"}, el("h2", {}, p.role), sel, add), toasts,
    log, rkb, input, extra);
  p.dom = {root, sel, log, rkb, phone, toasts, input};
  hooks.pane.forEach(f => f(i));
  return root;
}

function fillSelect(p) {
  p.dom.sel.replaceChildren(...users.map(u => el("option", {value: u.id}, u.name + " (" + u.id + ", " + u.lang + ")")),
    el("option", {value: "new"}, "+ new user…"));
  p.dom.sel.value = p.id;
}

async function loadUsers() {
  const u = await api("GET", "/api/users");
  users = u.users;
  panes.forEach(fillSelect);
  return u;
}

// showMessages puts the chat's messages in its log, keeping the element of
// every message that has not changed: an edit replaces its own bubble only,
// pictures do not reload, and a button being pressed stays where it is.
function showMessages(i, msgs) {
  const p = panes[i], log = p.dom.log, old = p.rendered || new Map(), now = new Map();
  const nodes = msgs.map(m => {
    const k = p.id + ":" + m.id + ":" + JSON.stringify(m);
    const n = old.get(k) || renderMessage(i, p.id, m);
    now.set(k, n);
    return n;
  });
  if (!nodes.length) nodes.push(p.emptyNode || (p.emptyNode = el("div", {class: "empty"}, "No messages yet. Try /start")));
  p.rendered = now;
  nodes.forEach((n, k) => { const at = log.children[k]; if (at !== n) log.insertBefore(n, at || null); });
  while (log.children.length > nodes.length) log.lastChild.remove();
}

async function refreshPane(i, scroll) {
  const p = panes[i], d = p.dom;
  const c = await api("GET", "/api/chats/" + p.id);
  p.messages = c.messages;
  const atBottom = d.log.scrollTop + d.log.clientHeight >= d.log.scrollHeight - 20;
  showMessages(i, c.messages);
  for (const a of c.callback_answers) {
    if (seenAnswers.has(a.QueryID)) continue;
    seenAnswers.add(a.QueryID);
    if (a.Text && !quiet) toast(d.toasts, a.Text, a.ShowAlert);
  }
  const kb = JSON.stringify(c.reply_keyboard || []);
  if (kb !== p.keyboard) {
    p.keyboard = kb;
    d.rkb.replaceChildren(...(c.reply_keyboard || []).map(row => el("div", {class: "row"}, ...row.map(b =>
      el("button", {onclick: () => b.RequestContact ? act(p.id, "contact", {phone: d.phone.value}) : act(p.id, "tap", {label: b.Text})},
        (b.RequestContact ? "📱 " : "") + b.Text)))));
  }
  if (document.activeElement !== d.phone) d.phone.value = c.user.phone;
  if (scroll || atBottom || Date.now() < (p.scrollUntil || 0)) d.log.scrollTop = d.log.scrollHeight;
  hooks.refreshed.forEach(f => f(i));
}

async function refreshAll(scroll) { await Promise.all(panes.map((_, i) => refreshPane(i, scroll))); }

// Tabs: on a phone-sized window one pane shows at a time (CSS hides the
// tab bar on wider ones, where every pane is side by side).
let activeTab = 0;
function buildTabs() {
  const nav = document.getElementById("tabs");
  const order = [...document.getElementById("panes").children].map(r => panes.findIndex(p => p.dom.root === r));
  nav.replaceChildren(...order.map(i => el("button", {type: "button", "data-pane": i, onclick: () => showTab(i)}, panes[i].role)),
    ...hooks.tabs.map(t => el("button", {type: "button", "data-pane": -1, onclick: () => { showTab(-1); t.onshow(); }}, t.label)));
  showTab(Math.min(activeTab, panes.length - 1));
}
function showTab(i) {
  activeTab = i;
  document.getElementById("layout").classList.toggle("show-panel", i < 0);
  for (const b of document.getElementById("tabs").children) b.classList.toggle("active", +b.dataset.pane === i);
  panes.forEach((p, j) => p.dom && p.dom.root.classList.toggle("active", j === i));
  if (i >= 0) selectPane(i);
}

// syncPanes adds a pane for every entry of list ({role, id}) the page does
// not show yet (added here or in another window).
function syncPanes(list) {
  const added = [];
  for (const q of list) if (!panes.some(p => p.role === q.role)) added.push(addPane(q));
  if (added.length) buildTabs();
  return added;
}

// addPane shows a new pane for the pane entry q ({role, id}).
function addPane(q) {
  panes.push({role: q.role, id: q.id});
  const i = panes.length - 1, root = buildPane(i);
  // Customers stay together, before the staff.
  const main = document.getElementById("panes"), staff = panes.findIndex((p, j) => j < i && !isCustomer(p));
  if (isCustomer(panes[i]) && staff >= 0) main.insertBefore(root, panes[staff].dom.root); else main.append(root);
  fillSelect(panes[i]);
  return i;
}

// "+ Customer": another person with a chat of their own.
const names = ["Emma", "Ivan", "Dilnoza", "Max", "Sofia", "Timur", "Lena", "Rustam", "Kate", "Oleg"];
function openNewCustomer() {
  const f = document.getElementById("new-customer"), name = document.getElementById("new-name");
  f.hidden = !f.hidden;
  if (!f.hidden) { name.value = names.find(n => !users.some(u => u.name === n)) || ""; name.select(); }
}
async function addCustomer(e) {
  e.preventDefault();
  const name = document.getElementById("new-name").value.trim(), lang = document.getElementById("new-lang").value;
  if (!name) return;
  const q = await api("POST", "/api/panes", {name, lang});
  document.getElementById("new-customer").hidden = true;
  const u = await loadUsers();
  for (const i of syncPanes(u.panes)) await refreshPane(i, true);
  const i = panes.findIndex(p => p.role === q.role);
  if (i >= 0) { showTab(i); selectPane(i); flash(panes[i]); panes[i].dom.root.scrollIntoView({inline: "nearest"}); }
}
document.getElementById("add-customer").addEventListener("click", openNewCustomer);
document.getElementById("new-customer").addEventListener("submit", addCustomer);
document.getElementById("new-cancel").addEventListener("click", () => { document.getElementById("new-customer").hidden = true; });

async function poll() {
  for (;;) {
    try {
      const e = await api("GET", "/api/events?since=" + version);
      if (e.version !== version) {
        version = e.version;
        const u = await loadUsers();
        for (const i of syncPanes(u.panes)) refreshPane(i, true);
        await refreshAll(false);
      }
    } catch (err) { await new Promise(r => setTimeout(r, 1000)); }
  }
}

const ready = (async () => {
  const u = await api("GET", "/api/users");
  users = u.users; version = u.version;
  if (u.hint) { const h = document.getElementById("hint"); h.textContent = u.hint; h.hidden = false; }
  syncPanes(u.panes);
  const first = panes.findIndex(isCustomer);
  if (first >= 0) selectPane(first);
  await refreshAll(true);
  quiet = false;
  poll();
})();
