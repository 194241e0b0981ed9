// zhibu's record editor: a form drawn from the record model (api/form), checked and saved by the
// server with zhibu's own validator. No library and no request to any other host.
"use strict";

const BASE = document.querySelector('meta[name="zhibu-base"]').content;
const CSRF = document.querySelector('meta[name="zhibu-csrf"]').content;
const $ = (id) => document.getElementById(id);
const state = { file: null, base: null, collection: null, folder: null, extra: {}, choices: {}, fields: [] };

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (value !== undefined && value !== null && value !== false) node.setAttribute(key, value);
  }
  node.append(...children.filter(Boolean));
  return node;
}

async function api(path, body, raw) {
  const options = { credentials: "same-origin", headers: { "X-Zhibu-CSRF": CSRF } };
  if (body !== undefined) {
    options.method = "POST";
    options.body = raw ? body : JSON.stringify(body);
    options.headers["Content-Type"] = raw ? "application/octet-stream" : "application/json";
  }
  const response = await fetch(BASE + path, options);
  const payload = await response.json().catch(() => ({ error: `服务器返回 ${response.status}` }));
  return { ok: response.ok, status: response.status, payload };
}

function say(text, kind) {
  $("message").textContent = text;
  $("message").className = kind || "";
}

// ------------------------------------------------------------ widgets: each returns a node with .get()

function textual(def, value) {
  const shown = value === undefined || value === null ? "" : String(value);
  let input;
  if (def.widget === "markdown") input = el("textarea", {}, shown);
  else if (def.widget === "choice") {
    input = el("select", {}, el("option", { value: "", text: "（未填）" }));
    const words = def.choices.includes(shown) || !shown ? def.choices : [shown, ...def.choices];
    for (const word of words) input.append(el("option", { value: word, text: word }));
    input.value = shown;
  } else if (def.widget === "number") {
    input = el("input", { type: "number", min: "0", step: def.integer ? "1" : "any", value: shown });
  } else {
    const type = def.widget === "date" && (!shown || /^\d{4}-\d{2}-\d{2}$/.test(shown)) ? "date" : "text";
    input = el("input", { type, value: shown, placeholder: def.hint || "" });
  }
  input.get = () => {
    const text = input.value.trim();
    if (def.widget === "number" && text !== "") return Number(text);
    return text;
  };
  return input;
}

function label(entry) {
  return `${entry.name}（${entry.id}${entry.detail ? "，" + entry.detail : ""}）`;
}

function picker(def, value) {
  const entries = state.choices[def.ref] || [];
  const input = el("input", { type: "text", value: value ?? "", placeholder: "输入姓名、名称或编号查找", autocomplete: "off" });
  const chosen = el("div", { class: "chosen" });
  const options = el("div", { class: "options", role: "listbox", hidden: true });
  const wrap = el("div", { class: "picker" }, input, options, chosen);
  const describe = () => {
    const text = input.value.trim();
    const exact = entries.find((e) => e.id === text);
    const named = entries.filter((e) => e.name === text);
    if (exact) chosen.textContent = label(exact);
    else if (named.length > 1) chosen.textContent = `有 ${named.length} 人同名，请从列表中选择（按编号区分）`;
    else if (named.length === 1) chosen.textContent = label(named[0]);
    else chosen.textContent = text && !def.free ? "档案中没有找到，请从列表中选择" : "";
  };
  const show = () => {
    const text = input.value.trim().toLowerCase();
    const found = entries.filter((e) => !text || e.name.toLowerCase().includes(text) || e.id.includes(text));
    options.replaceChildren(
      ...found.slice(0, 30).map((entry) =>
        el("button", {
          type: "button", role: "option", text: label(entry),
          onmousedown: (event) => event.preventDefault(),
          onclick: () => {
            input.value = entry.id;
            options.hidden = true;
            describe();
            input.dispatchEvent(new Event("change", { bubbles: true }));
          },
        }),
      ),
    );
    options.hidden = found.length === 0;
  };
  input.addEventListener("input", () => { show(); describe(); });
  input.addEventListener("focus", show);
  input.addEventListener("blur", () => { options.hidden = true; });
  describe();
  wrap.get = () => input.value.trim();
  return wrap;
}

function attachment(def, value) {
  const input = textual({ widget: "text", hint: "files/ 下的路径，或点“上传”" }, value);
  const file = el("input", { type: "file", accept: ".pdf,.png,.jpg,.jpeg,.docx,.xlsx,.pptx,.doc,.xls" });
  const upload = async () => {
    const picked = file.files[0];
    if (!picked) return;
    const record = state.file ? state.file.split("/").pop().replace(/\.ya?ml$/, "") : $("record-id").value.trim();
    const day = (state.form.querySelector('[data-key="date"] input') || {}).value || "";
    const year = (day.match(/^\d{4}/) || [String(new Date().getFullYear())])[0];
    const query = `api/upload?record=${encodeURIComponent(record)}&year=${year}&name=${encodeURIComponent(picked.name)}`;
    const { ok, payload } = await api(query, picked, true);
    if (ok) input.value = payload.path;
    else say(payload.error, "bad");
  };
  file.addEventListener("change", upload);
  const wrap = el("div", {}, input, el("label", { class: "help" }, "上传：", file));
  wrap.get = input.get;
  return wrap;
}

function list(def, values) {
  const items = el("div", { class: "items" });
  const add = (value) => {
    const body = widget(def.item, value);
    const move = (step) => {
      const sibling = step < 0 ? row.previousElementSibling : row.nextElementSibling;
      if (sibling) (step < 0 ? sibling.before(row) : sibling.after(row));
    };
    const row = el(
      "div", { class: "item" }, el("div", { class: "body" }, body),
      el("div", { class: "tools" },
        el("button", { type: "button", title: "上移", text: "↑", onclick: () => move(-1) }),
        el("button", { type: "button", title: "下移", text: "↓", onclick: () => move(1) }),
        el("button", { type: "button", title: "删除", text: "删除", onclick: () => row.remove() })),
    );
    row.body = body;
    items.append(row);
    return body;
  };
  for (const value of Array.isArray(values) ? values : []) add(value);
  const wrap = el("div", {}, items, el("button", { type: "button", class: "add", text: "＋ 添加", onclick: () => add() }));
  wrap.add = add;
  wrap.get = (path) => [...items.children].map((row, i) => {
    row.body.dataset.path = `${path}.${i}`;
    return row.body.get(`${path}.${i}`);
  });
  return wrap;
}

function group(def, value) {
  const box = el("fieldset");
  const inner = def.fields.map((sub) => field(sub, (value || {})[sub.key]));
  box.append(...inner);
  box.get = (path) => {
    const out = {};
    for (const node of inner) {
      node.dataset.path = path ? `${path}.${node.dataset.key}` : node.dataset.key;
      out[node.dataset.key] = node.control.get(node.dataset.path);
    }
    return out;
  };
  return box;
}

function widget(def, value) {
  if (def.widget === "ref") return picker(def, value);
  if (def.widget === "attachment") return attachment(def, value);
  if (def.widget === "list") return list(def, value);
  if (def.widget === "group") return group(def, value);
  return textual(def, value);
}

function field(def, value) {
  const control = widget(def, value);
  const node = el(
    "div", { class: "field", "data-key": def.key },
    el("label", {}, def.title, def.required ? el("span", { class: "required", text: " *" }) : null),
    el("div", { class: "help", text: def.help }),
    control,
    el("div", { class: "error", role: "alert" }),
  );
  node.control = control;
  return node;
}

// ------------------------------------------------------------ the form

function collect() {
  const data = { ...state.extra, ...state.root.get("") };
  return data;
}

// A problem check found, in words, for where it cannot be shown at its field.
function described(problem) {
  return problem.field ? `${problem.field}：${problem.message}` : problem.message;
}

// Errors and warnings at the field (or list entry) they name: an error in red (it blocks the
// save), a warning in amber (advice; saving goes ahead). Those naming no field shown in the form
// come back, as words, for the message line.
function showProblems(errors, warnings = []) {
  for (const node of document.querySelectorAll(".invalid, .warned")) node.classList.remove("invalid", "warned");
  for (const node of document.querySelectorAll(".error, .warning")) node.textContent = "";
  const general = { error: [], warning: [] };
  for (const [kind, found] of [["error", errors], ["warning", warnings]]) {
    for (const problem of found) {
      let target = null;
      const parts = (problem.field || "").split(".");
      while (parts.length && !target) {
        target = document.querySelector(`[data-path="${CSS.escape(parts.join("."))}"]`);
        parts.pop();
      }
      // a problem of one entry of a list (attendees.3) shows at that entry, not on the whole list
      const entry = target && !target.classList.contains("field") && target.closest(".item");
      const holder = entry || (target && (target.classList.contains("field") ? target : target.closest(".field")));
      if (!holder) {
        general[kind].push(described(problem));
        continue;
      }
      holder.classList.add(kind === "error" ? "invalid" : "warned");
      let slot = holder.querySelector(`:scope > .${kind}`);
      if (!slot) holder.append((slot = el("div", { class: kind, role: kind === "error" ? "alert" : "status" })));
      const words = (kind === "warning" ? "警告：" : "") + problem.message;
      slot.textContent = (slot.textContent ? slot.textContent + "；" : "") + words;
    }
  }
  return general;
}

function payload() {
  const data = collect();
  if (state.file) return { file: state.file, data, base: state.base };
  return { collection: state.collection, folder: state.folder, id: $("record-id").value.trim(), data };
}

async function check() {
  const { ok, payload: answer } = await api("api/check", payload());
  if (!ok) return say(answer.error, "bad");
  const general = showProblems(answer.errors, answer.warnings);
  const warned = answer.warnings.length
    ? [`${answer.errors.length ? "另有" : "没有错误；有"} ${answer.warnings.length} 条警告（不影响保存，建议补全）：`, ...general.warning]
    : [];
  if (answer.errors.length) say(["有错误，请按提示修改。", ...general.error, ...warned].join(" "), "bad");
  else if (warned.length) say(warned.join(" "), "warn");
  else say("没有错误，也没有警告。", "good");
  const first = document.querySelector(answer.errors.length ? ".invalid" : ".warned");
  if (first) first.scrollIntoView({ block: "center" });
}

async function save() {
  $("conflict").hidden = true;
  const { ok, status, payload: answer } = await api("api/save", payload());
  if (status === 409 && answer.theirs !== undefined) {
    $("theirs").textContent = answer.theirs;
    $("mine").textContent = answer.mine;
    $("conflict").hidden = false;
    return say(answer.error, "bad");
  }
  if (!ok) {
    const general = showProblems(answer.errors || (answer.field ? [{ field: answer.field, message: answer.error }] : []));
    const first = document.querySelector(".invalid");
    if (first) first.scrollIntoView({ block: "center" });
    return say([answer.error, ...general.error].join(" "), "bad");
  }
  showProblems([], answer.warnings);
  state.file = answer.file;
  state.base = answer.base;
  history.replaceState(null, "", `${BASE}?file=${encodeURIComponent(answer.file)}`);
  $("where").textContent = `content/${answer.file}`;
  $("heading").textContent = "编辑记录";
  const idRow = $("record-id-row");
  if (idRow) idRow.remove();
  say(`已保存 content/${answer.file}。`, "good");
  const where = (w) => (w.line ? `第 ${w.line} 行 ` : "");
  $("warnings").replaceChildren(...answer.warnings.map((w) => el("li", { text: where(w) + described(w) })));
  $("warnings-box").hidden = answer.warnings.length === 0;
  $("saved").hidden = false;
  // Every file the commit will carry, so nothing goes in unseen (an upload, a person added meanwhile).
  const files = `提交将包含 ${answer.files.length} 个文件：\n${answer.files.map((f) => `  ${f}`).join("\n")}\n\n`;
  $("diff").textContent = files + (answer.diff || "（与上次提交相比没有改动）");
  $("git").hidden = !answer.git;
  $("commit-message").value = answer.message;
  $("committed").textContent = "";
  refreshPreview(answer.page, answer.epoch);
}

async function commit() {
  const { ok, payload: answer } = await api("api/commit", { file: state.file, message: $("commit-message").value });
  $("committed").textContent = ok ? `已提交 ${answer.files.length} 个文件（${answer.commit.slice(0, 8)}）` : answer.error;
  $("committed").className = ok ? "good" : "error";
}

async function refreshPreview(page, epoch) {
  $("back").href = page;
  $("preview-pane").hidden = false;
  // The live-reload poll answers once the preview has been rebuilt after this save.
  for (let tries = 0; tries < 5; tries++) {
    const answer = await fetch(`/livereload/${epoch}/${Date.now()}`).then((r) => r.text()).catch(() => "");
    if (Number(answer) > epoch) break;
  }
  $("preview").src = `${page}?t=${Date.now()}`;
}

// ------------------------------------------------------------ new records: `zhibu new`'s defaults

async function defaults() {
  const get = (key) => (state.form.querySelector(`[data-key="${key}"]`)?.control.get() || "");
  const kindKey = { meetings: "type", activities: "kind", projects: "kind", achievements: "category", honours: "level", orgs: "kind" }[state.collection];
  const orgKey = state.collection === "people" ? null : "org";
  const query = new URLSearchParams({ collection: state.collection });
  if (orgKey && get(orgKey)) query.set("org", get(orgKey));
  if (kindKey && get(kindKey)) query.set("type", get(kindKey));
  if (/^\d{4}-\d{2}-\d{2}$/.test(get("date"))) query.set("date", get("date"));
  const { ok, payload: answer } = await api(`api/new?${query}`);
  if (!ok) return say(answer.error, "bad");
  return answer;
}

async function refreshDefaults(first) {
  const asked = (state.asked = (state.asked || 0) + 1);
  const answer = await defaults();
  if (!answer || asked !== state.asked) return; // a later change asked again
  state.folder = answer.folder;
  $("record-folder").textContent = `content/${answer.folder}/`;
  // A suggestion fills a field while it is empty or still holds the last suggestion, never one
  // the secretary is typing in or has written herself (a typed title or id is never replaced).
  const suggested = (state.suggested = state.suggested || {});
  const fill = (input, key, value) => {
    const untouched = first || !input.value || input.value === suggested[key];
    if (untouched && document.activeElement !== input) {
      input.value = value;
      suggested[key] = value;
    }
  };
  fill($("record-id"), "id", answer.id);
  for (const [key, value] of Object.entries(answer.values)) {
    const node = state.form.querySelector(`[data-key="${key}"]`);
    const input = node && node.querySelector("input, select, textarea");
    if (input) fill(input, key, value);
  }
  const box = $("expected");
  state.expected = answer.expected;
  const people = (state.choices.people || []).filter((p) => answer.expected.includes(p.id));
  box.hidden = people.length === 0;
  box.querySelector("span").textContent = people.map(label).join("、");
}

async function startNew(collection) {
  state.collection = collection;
  state.suggested = {};
  const expected = el("div", { id: "expected", class: "expected", hidden: true },
    el("strong", { text: "应到（按组织、会议类型和日期推算）：" }), el("span"),
    el("button", { type: "button", text: "全部填入实到人员", onclick: () => {
      const list = state.form.querySelector('[data-key="attendees"]').control;
      for (const id of state.expected || []) list.add(id);
    } }));
  const idRow = el("div", { class: "field", id: "record-id-row", "data-path": "id" },
    el("label", { for: "record-id", text: "编号（文件名）" }),
    el("div", { class: "help" }, "保存到 ", el("code", { id: "record-folder" }), "；只能用小写字母、数字和连字符"),
    el("input", { type: "text", id: "record-id" }), el("div", { class: "error", role: "alert" }));
  await draw({});
  state.form.prepend(idRow);
  if (collection === "meetings") state.form.querySelector('[data-key="attendees"]').before(expected);
  for (const key of ["org", "type", "kind", "date"]) {
    const node = state.form.querySelector(`[data-key="${key}"]`);
    if (node) node.addEventListener("change", () => refreshDefaults(false));
  }
  await refreshDefaults(true);
}

async function draw(data) {
  const [form, choices] = await Promise.all([api(`api/form?collection=${state.collection}`), api("api/choices")]);
  if (!form.ok) return say(form.payload.error, "bad");
  state.choices = choices.ok ? choices.payload : {};
  state.fields = form.payload.fields.filter((f) => f.widget !== "mapping");
  const known = new Set(state.fields.map((f) => f.key));
  state.extra = Object.fromEntries(Object.entries(data).filter(([key]) => !known.has(key)));
  state.root = group({ fields: state.fields }, data);
  state.root.classList.add("record");
  state.form = $("record");
  state.form.replaceChildren(state.root);
  $("heading").textContent = `${state.file ? "编辑" : "新建"}${form.payload.label}记录`;
}

async function start() {
  const params = new URLSearchParams(location.search);
  $("save").addEventListener("click", save);
  $("check").addEventListener("click", check);
  $("commit").addEventListener("click", commit);
  if (params.get("file")) {
    const { ok, payload: record } = await api(`api/record?file=${encodeURIComponent(params.get("file"))}`);
    if (!ok) return say(record.error, "bad");
    Object.assign(state, { file: record.file, base: record.base, collection: record.collection });
    $("where").textContent = `content/${record.file}`;
    $("back").href = record.page;
    await draw(record.data);
  } else if (params.get("new")) {
    $("back").href = "../../" + params.get("new") + "/";
    await startNew(params.get("new"));
  } else {
    say("请在预览页面上点“编辑”或“新建”。");
  }
}

start();
