"use strict";
// The playground's extras, offered by the program around the fake
// (GET /api/play; a bare fake answers 404 and the page stays a chat page):
// the business clock and its +1 hour/+1 day/+30 days, the register
// posters in the customers' chats, 📷 Scan in the staff chats, and the
// panel with the selected customer's ledger, nudges and outbox.

let play = null, clockSkew = 0; // clockSkew: business time minus the browser's

function fmtTime(iso, opts) {
  if (!iso) return "";
  return new Date(iso).toLocaleString("en-GB", Object.assign({timeZone: play.clock.zone, day: "numeric", month: "short",
    hour: "2-digit", minute: "2-digit"}, opts || {}));
}

function setClock(c) {
  play.clock = c;
  clockSkew = new Date(c.now).getTime() - Date.now();
  showClock();
}
function showClock() {
  const now = new Date(Date.now() + clockSkew).toISOString();
  document.getElementById("now").textContent = fmtTime(now, {weekday: "short", year: "numeric"});
  document.getElementById("now").title = play.clock.zone;
}

const stepNames = {"1h": "+1 hour", "1d": "+1 day", "30d": "+30 days"};
async function advance(by, buttons) {
  buttons.forEach(b => { b.disabled = true; });
  try {
    const r = await api("POST", "/api/play/clock", {by});
    setClock(r.clock);
    const jobs = r.ran.map(j => j.replace(/_/g, " ")).join(", ");
    toast(document.getElementById("toasts-global"), "⏩ " + stepNames[by] + ": " + document.getElementById("now").textContent +
      (jobs ? " · ran " + jobs : ""));
    refreshPanel();
  } catch (e) { showError("clock: " + e.message); }
  finally { buttons.forEach(b => { b.disabled = false; }); }
}

// decorate adds the playground's buttons to pane i, once.
function decorate(i) {
  const p = panes[i];
  if (!play || p.dom.played) return;
  p.dom.played = true;
  if (isCustomer(p)) {
    const posters = el("div", {class: "posters"}, "🏪 Register poster:");
    for (const s of play.stores) {
      posters.append(el("button", {type: "button", class: "poster", "data-store": s.code, title: "scan the poster at the register: " + s.link,
        onclick: () => { const j = panes.indexOf(p); selectPane(j); sendStart(j, startPayload(s.link)); }}, s.name));
    }
    p.dom.log.before(posters);
    p.emptyNode = el("div", {class: "empty"}, "No messages yet: tap a register poster above to join as if at the till, or send /start.");
  } else {
    const b = el("button", {type: "button", class: "scan-card", title: "point the phone camera at the card QR in the selected customer's chat",
      onclick: () => scanCard(panes.indexOf(p))}, "📷 Scan");
    p.dom.input.prepend(b);
  }
}

// cardQR finds the card QR shown last in customer pane j: the payload of
// its c_ link, or "".
async function cardQR(j) {
  const msgs = (panes[j].messages || []).filter(m => m.from_bot && m.photo);
  for (let k = msgs.length - 1; k >= 0; k--) {
    const v = await photoQR(msgs[k].photo);
    const payload = v && startPayload(v.text);
    if (payload && payload.startsWith("c_")) return payload;
  }
  return "";
}

// scanCard is the staff pane i's camera pointed at the selected customer's
// phone (or, when that chat shows no card, the other customers').
async function scanCard(i) {
  const order = [selected, ...panes.map((_, j) => j).filter(j => j !== selected && isCustomer(panes[j]))].filter(j => j >= 0);
  for (const j of order) {
    const payload = await cardQR(j);
    if (payload) { flash(panes[j]); return sendStart(i, payload); }
  }
  toast(panes[i].dom.toasts, "No card QR in the customer's chat: they open /card (or join first).", true);
}

// The panel: the rows behind the selected customer's chat.
let panelTimer = 0;
function refreshPanel() {
  clearTimeout(panelTimer);
  panelTimer = setTimeout(renderPanel, 150);
}

function table(rows) {
  return el("table", {}, ...rows.map(cells => el("tr", {}, ...cells.map(c => c instanceof Node ? el("td", {}, c) :
    el("td", {class: c.cls || ""}, c.text)))));
}

async function renderPanel() {
  const panel = document.getElementById("panel");
  if (!play || (panel.hidden && !document.getElementById("layout").classList.contains("show-panel"))) return;
  if (selected < 0) { panel.replaceChildren(el("p", {class: "muted"}, "Select a customer's chat.")); return; }
  const p = panes[selected];
  const d = await api("GET", "/api/play/chats/" + p.id);
  const out = [el("h3", {}, p.role + " · " + (users.find(u => u.id === p.id) || {name: p.id}).name)];
  const c = d.customer;
  if (!c) out.push(el("p", {class: "muted"}, "Not a member yet: tap a register poster, or send /start."));
  else {
    out.push(table([
      [{text: "Card"}, {text: c.card || "—", cls: "num"}], [{text: "Balance"}, {text: c.balance + " points", cls: "num"}],
      [{text: "Purchases"}, {text: String(c.purchases), cls: "num"}],
      [{text: "Joined"}, {text: c.joined_at ? fmtTime(c.joined_at) : "not yet", cls: "num"}],
      [{text: "Offers and news"}, {text: c.marketing ? "yes" : "no", cls: "num"}]]));
    out.push(el("h3", {}, "Ledger"));
    out.push(d.ledger.length ? table(d.ledger.map(l => [{text: fmtTime(l.at), cls: "muted"},
      {text: l.kind + (l.expires_at ? " (until " + fmtTime(l.expires_at, {hour: undefined, minute: undefined}) + ")" : "")},
      {text: (l.amount > 0 ? "+" : "") + l.amount, cls: "num " + (l.amount > 0 ? "plus" : "minus")},
      {text: String(l.balance_after), cls: "num"}])) : el("p", {class: "muted"}, "No points moved yet."));
    out.push(el("h3", {}, "Nudges"));
    out.push(d.nudges.length ? table(d.nudges.map(n => [{text: fmtTime(n.due_at), cls: "muted"}, {text: n.rule},
      {text: n.outcome.replace("_", " ") + (n.reason ? " (" + n.reason + ")" : "") + (n.converted_at ? " · bought" : ""),
        cls: n.outcome === "sent" ? "" : "wait"}])) : el("p", {class: "muted"}, "None due yet: move the clock on."));
  }
  out.push(el("h3", {}, "Outbox"));
  const now = Date.now() + clockSkew;
  out.push(d.outbox.length ? table(d.outbox.map(m => {
    const state = m.sent_at ? {text: "sent " + fmtTime(m.sent_at, {day: undefined, month: undefined})}
      : m.dropped_at ? {text: "dropped: " + m.last_error, cls: "minus"}
      : new Date(m.not_before).getTime() > now ? {text: "waits until " + fmtTime(m.not_before), cls: "wait"}
      : {text: "queued", cls: "wait"};
    return [{text: "#" + m.id, cls: "muted"}, state, {text: (m.nudge ? "[" + m.nudge + "] " : "") + (m.preview || "")}];
  })) : el("p", {class: "muted"}, "Nothing sent to this chat yet."));
  panel.replaceChildren(...out);
}

hooks.pane.push(decorate);
hooks.select.push(refreshPanel);
hooks.refreshed.push(i => { if (i === selected) refreshPanel(); });

(async () => {
  const r = await fetch("/api/play");
  if (!r.ok) return; // a bare fake: no clock, no panel
  play = await r.json();
  timeZone = play.clock.zone;
  await ready;
  panes.forEach(p => { p.rendered = null; }); // message times in the business zone
  await refreshAll(false);
  setClock(play.clock);
  setInterval(showClock, 10000);
  const steps = document.getElementById("steps"), buttons = [];
  for (const by of play.steps) {
    const b = el("button", {type: "button", class: "step", "data-by": by, title: "move the bot's clock on and run the jobs that come due",
      onclick: () => advance(by, buttons)}, stepNames[by] || "+" + by);
    buttons.push(b);
    steps.append(b);
  }
  document.getElementById("clock").hidden = false;
  const panel = document.getElementById("panel"), toggle = document.getElementById("toggle-panel");
  toggle.hidden = false;
  panel.hidden = window.matchMedia("(max-width: 760px)").matches;
  toggle.classList.toggle("on", !panel.hidden);
  toggle.addEventListener("click", () => {
    if (window.matchMedia("(max-width: 760px)").matches) { showTab(-1); renderPanel(); return; }
    panel.hidden = !panel.hidden; toggle.classList.toggle("on", !panel.hidden); renderPanel();
  });
  hooks.tabs.push({label: "Panel", onshow: renderPanel});
  panes.forEach((_, i) => decorate(i));
  buildTabs();
  renderPanel();
})();
