// 执法通 front end: plain TypeScript, one screen at a time, every change saved at once.

const IDLE_LOCK_MS = 5 * 60 * 1000;

const state = {
  officer: null as Officer | null,
  inspection: null as InspectionView | null,
  preview: null as Preview | null,
  lastActivity: Date.now(),
  locked: false,
};

function $(sel: string, root: ParentNode = document): HTMLElement {
  const el = root.querySelector(sel);
  if (!el) throw new Error(`missing ${sel}`);
  return el as HTMLElement;
}

function esc(s: string | number | null | undefined): string {
  return String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string);
}

function view(html: string): HTMLElement {
  const v = $("#view");
  v.innerHTML = html;
  window.scrollTo(0, 0);
  return v;
}

function toast(msg: string): void {
  const t = $("#toast");
  t.textContent = msg;
  t.hidden = false;
  window.setTimeout(() => { t.hidden = true; }, 3500);
}

function errorBox(e: unknown): string {
  const err = e as AppErrorBody;
  return `<div class="error" data-code="${esc(err.code)}">${esc(err.message ?? String(e))}</div>`;
}

function showError(target: HTMLElement, e: unknown): void {
  target.innerHTML = errorBox(e);
}

function setNav(name: string): void {
  document.querySelectorAll<HTMLButtonElement>("button.nav").forEach((b) => b.classList.toggle("active", b.dataset.nav === name));
}

async function refreshBadge(): Promise<void> {
  try {
    const h = await call<Home>("home");
    $("#unsynced-badge").textContent = h.unsynced > 0 ? String(h.unsynced) : "";
  } catch { /* locked or signed out: the screen says so */ }
}

// ---------------------------------------------------------------- login and lock

async function showLogin(): Promise<void> {
  $("#topbar").hidden = true;
  const st = await call<AppStatus>("app_status").catch(() => null);
  const v = view(`
    <div class="center card" id="login-screen">
      <h1>执法通 · 安全生产执法</h1>
      <p class="muted">吕梁市应急管理系统。首次登录须联网；之后无网络也可登录。</p>
      <form id="login-form">
        <label for="login-user">执法证号</label>
        <input id="login-user" autocomplete="username" inputmode="numeric" value="${esc(st?.last_login ?? "")}">
        <label for="login-password">密码</label>
        <input id="login-password" type="password" autocomplete="current-password">
        <div id="login-error"></div>
        <p><button id="login-submit" class="primary" type="submit" style="width:100%">登录</button></p>
      </form>
      <p class="muted">服务器：${esc(st?.server ?? "")}</p>
    </div>`);
  $("#login-form", v).addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const btn = $("#login-submit") as HTMLButtonElement;
    btn.disabled = true;
    btn.textContent = "正在登录…";
    try {
      const out = await call<LoginOutcome>("login", {
        login: ($("#login-user") as HTMLInputElement).value,
        password: ($("#login-password") as HTMLInputElement).value,
      });
      state.officer = out.officer;
      state.locked = false;
      enterApp();
      if (out.mode === "offline") toast("无法连接服务器，已离线登录。数据将在下次同步时上传。");
      else if (!out.officer.org_id) { toast("首次登录，正在同步本单位数据…"); await showSync(true); return; }
      await showHome();
    } catch (e) {
      showError($("#login-error"), e);
      btn.disabled = false;
      btn.textContent = "登录";
    }
  });
  ($("#login-user") as HTMLInputElement).focus();
}

function enterApp(): void {
  $("#topbar").hidden = false;
  $("#officer-name").textContent = `${state.officer?.name ?? ""}${state.officer?.org_name ? " · " + state.officer.org_name : ""}`;
  state.lastActivity = Date.now();
}

async function lockScreen(): Promise<void> {
  if (state.locked || !state.officer) return;
  state.locked = true;
  await call("lock").catch(() => undefined);
  $("#topbar").hidden = true;
  const v = view(`
    <div class="center card" id="lock-screen">
      <h1>屏幕已锁定</h1>
      <p>${esc(state.officer.name)}，请输入密码解锁。未同步的数据已保存在本机。</p>
      <form id="unlock-form">
        <input id="unlock-password" type="password" autocomplete="current-password">
        <div id="unlock-error"></div>
        <div class="row" style="margin-top:10px">
          <button id="unlock-submit" class="primary" type="submit">解锁</button>
          <button id="switch-officer" type="button">切换执法人员</button>
        </div>
      </form>
    </div>`);
  $("#unlock-form", v).addEventListener("submit", async (ev) => {
    ev.preventDefault();
    try {
      state.officer = await call<Officer>("unlock", { password: ($("#unlock-password") as HTMLInputElement).value });
      state.locked = false;
      enterApp();
      if (state.inspection) await showInspection(state.inspection.id); else await showHome();
    } catch (e) { showError($("#unlock-error"), e); }
  });
  $("#switch-officer", v).addEventListener("click", async () => {
    await call("logout").catch(() => undefined);
    state.officer = null;
    state.locked = false;
    state.inspection = null;
    await showLogin();
  });
}

// ---------------------------------------------------------------- home

async function showHome(): Promise<void> {
  setNav("home");
  const v = view(`<div id="home-screen"><p class="muted">加载中…</p></div>`);
  try {
    const h = await call<Home>("home");
    state.officer = h.officer;
    $("#unsynced-badge").textContent = h.unsynced > 0 ? String(h.unsynced) : "";
    v.innerHTML = `
      <div id="home-screen">
        <h1>${esc(h.today)} · ${esc(h.officer.name)}</h1>
        ${h.clock_warning ? `<div class="error" id="clock-warning">${esc(h.clock_warning)}</div>` : ""}
        <div class="grid2">
          <div class="card">
            <h2>同步状态</h2>
            <p>未同步的修改：<strong id="home-unsynced">${h.unsynced}</strong> 条</p>
            <p>上次同步：${esc(h.last_sync ?? "从未同步")}</p>
            <p>本机企业：${h.enterprises} 家 ${h.unfinished_prints ? `· <span class="tag major">${h.unfinished_prints} 个打印任务未完成</span>` : ""}</p>
            <button class="primary" id="home-sync">立即同步</button>
          </div>
          <div class="card">
            <h2>进行中的检查</h2>
            ${h.open_inspections.length ? h.open_inspections.map((i) => `
              <div class="list-item open-inspection" data-id="${esc(i.id)}"><span>${esc(i.enterprise_name)}</span><span class="muted">${esc(i.started_at)}</span></div>`).join("") : `<p class="muted">无</p>`}
          </div>
        </div>
        <div class="grid2">
          <div class="card">
            <h2>待检查任务（本月及以前）</h2>
            ${h.tasks.length ? h.tasks.slice(0, 12).map((t) => `
              <div class="list-item task" data-enterprise="${esc(t.enterprise_id)}" data-task="${esc(t.id)}">
                <span>${esc(t.enterprise_name)}</span><span>${t.mine ? `<span class="tag">我的</span>` : ""}<span class="tag">${t.month}月</span><span class="tag">${esc(t.kind)}</span></span></div>`).join("") : `<p class="muted">没有待检查的计划任务</p>`}
          </div>
          <div class="card">
            <h2>临近复查的隐患</h2>
            ${h.hazards_due.length ? h.hazards_due.map(hazardRow).join("") : `<p class="muted">7日内没有到期的整改</p>`}
          </div>
        </div>
      </div>`;
    $("#home-sync", v).addEventListener("click", () => { void showSync(true); });
    v.querySelectorAll<HTMLElement>(".open-inspection").forEach((el) => el.addEventListener("click", () => { void showInspection(el.dataset.id as string); }));
    v.querySelectorAll<HTMLElement>(".task").forEach((el) => el.addEventListener("click", () => { void showEnterprise(el.dataset.enterprise as string, el.dataset.task); }));
  } catch (e) { await handleSessionError(e, v); }
}

function hazardRow(h: HazardView): string {
  const due = h.days_left === null ? "未定期限" : h.days_left < 0 ? `已逾期 ${-h.days_left} 天` : `剩 ${h.days_left} 天`;
  return `<div class="list-item hazard" data-id="${esc(h.id)}">
    <span>${h.major ? `<span class="tag major">重大隐患</span>` : ""}${esc(h.enterprise_name)}：${esc(h.description)}</span>
    <span class="muted">${esc(h.deadline ?? "")} ${esc(due)} · ${esc(h.status)}</span></div>`;
}

async function handleSessionError(e: unknown, v: HTMLElement): Promise<void> {
  const code = (e as AppErrorBody).code;
  if (code === "NOT_SIGNED_IN") { await showLogin(); return; }
  if (code === "SESSION_LOCKED") { state.locked = false; await lockScreen(); return; }
  showError(v, e);
}

// ---------------------------------------------------------------- enterprises

async function showSearch(): Promise<void> {
  setNav("search");
  const v = view(`
    <div id="search-screen">
      <h1>检查对象库</h1>
      <input id="search-input" placeholder="企业名称、统一社会信用代码或地址（一个字即可）" autocomplete="off">
      <div id="search-results" class="card" style="margin-top:12px"><p class="muted">输入后即显示结果</p></div>
    </div>`);
  const input = $("#search-input", v) as HTMLInputElement;
  let seq = 0;
  input.addEventListener("input", async () => {
    const my = ++seq;
    const q = input.value;
    const box = $("#search-results");
    if (!q.trim()) { box.innerHTML = `<p class="muted">输入后即显示结果</p>`; return; }
    try {
      const hits = await call<EnterpriseHit[]>("search_enterprises", { q });
      if (my !== seq) return;
      box.innerHTML = hits.length ? hits.map((h) => `
        <div class="list-item enterprise-hit" data-id="${esc(h.id)}">
          <span><strong>${esc(h.name)}</strong><br><span class="muted">${esc(h.address)}</span></span>
          <span class="muted">${esc(h.credit_code)}</span></div>`).join("") : `<p class="muted">没有找到匹配的企业</p>`;
      box.querySelectorAll<HTMLElement>(".enterprise-hit").forEach((el) => el.addEventListener("click", () => { void showEnterprise(el.dataset.id as string); }));
    } catch (e) { showError(box, e); }
  });
  input.focus();
}

async function showEnterprise(id: string, taskId?: string): Promise<void> {
  const v = view(`<p class="muted">加载中…</p>`);
  try {
    const f = await call<EnterpriseFile>("enterprise_file", { id });
    v.innerHTML = `
      <div id="enterprise-file">
        <h1>${esc(f.name)}</h1>
        <div>${f.tags.map((t) => `<span class="tag">${esc(t)}</span>`).join("")}</div>
        <div class="grid2">
          <div class="card"><h2>企业信息</h2>${f.fields.map((x) => `<div class="row"><span class="muted" style="min-width:9em">${esc(x.label)}</span><span>${esc(x.value)}</span></div>`).join("")}</div>
          <div>
            <div class="card"><h2>检查记录</h2>${f.inspections.length ? f.inspections.map((i) => `<div class="list-item past-inspection" data-id="${esc(i.id)}"><span>${esc(i.started_at)}</span><span>${esc(i.status)}</span></div>`).join("") : `<p class="muted">暂无</p>`}</div>
            <div class="card"><h2>未销号隐患</h2>${f.open_hazards.length ? f.open_hazards.map(hazardRow).join("") : `<p class="muted">无</p>`}</div>
            <div class="card"><h2>执法文书</h2>${f.documents.length ? f.documents.map((d) => `<div class="list-item"><span>${esc(d.doc_type)}</span><span>${esc(d.number ?? d.status)}</span></div>`).join("") : `<p class="muted">暂无</p>`}</div>
          </div>
        </div>
        <button class="primary" id="start-inspection">开始检查</button>
        <div id="start-panel"></div>
      </div>`;
    v.querySelectorAll<HTMLElement>(".past-inspection").forEach((el) => el.addEventListener("click", () => { void showInspection(el.dataset.id as string); }));
    $("#start-inspection", v).addEventListener("click", () => { void startPanel(f, taskId); });
  } catch (e) { await handleSessionError(e, v); }
}

async function startPanel(f: EnterpriseFile, taskId?: string): Promise<void> {
  const p = $("#start-panel");
  try {
    const [colleagues, modules] = await Promise.all([
      call<Colleague[]>("colleagues"),
      call<ModuleOption[]>("modules_for", { enterprise_id: f.id }),
    ]);
    p.innerHTML = `
      <div class="card" style="margin-top:12px">
        <h2>同行执法人员（不少于两人）</h2>
        <select id="colleague">${colleagues.map((c) => `<option value="${esc(c.id)}">${esc(c.name)}（${esc(c.cert_no)}）</option>`).join("")}</select>
        <h2 style="margin-top:14px">检查模块</h2>
        <div class="row">${modules.map((m) => `
          <label class="tag" style="font-size:18px;padding:8px 12px"><input type="checkbox" class="module" value="${esc(m.module)}" ${m.suggested ? "checked" : ""} style="width:auto;min-height:0">
          ${esc(m.industry === "通用" ? "通用·" : "")}${esc(m.module)}（${m.items}项）</label>`).join("")}</div>
        <div id="start-error"></div>
        <button class="primary" id="begin-inspection" style="margin-top:10px">进入检查</button>
      </div>`;
    $("#begin-inspection", p).addEventListener("click", async () => {
      const mods = Array.from(p.querySelectorAll<HTMLInputElement>("input.module:checked")).map((x) => x.value);
      try {
        const insp = await call<InspectionView>("start_inspection", {
          enterprise_id: f.id, colleague_id: ($("#colleague") as HTMLSelectElement).value, modules: mods, task_id: taskId ?? null,
        });
        // The command already answers with the whole checklist: render it without asking again.
        state.inspection = insp;
        renderInspection(view(""), insp);
      } catch (e) { showError($("#start-error"), e); }
    });
  } catch (e) { showError(p, e); }
}

// ---------------------------------------------------------------- inspection

async function showInspection(id: string): Promise<void> {
  const v = view(`<p class="muted">加载中…</p>`);
  try {
    const insp = await call<InspectionView>("inspection_view", { id });
    state.inspection = insp;
    renderInspection(v, insp);
  } catch (e) { await handleSessionError(e, v); }
}

function itemCard(it: ItemView, editable: boolean): string {
  const nc = it.result === "non_conforming";
  const btn = (r: string, label: string) =>
    `<button class="ans-${r} ${it.result === r ? "chosen" : ""}" data-result="${r}" ${editable ? "" : "disabled"}>${label}</button>`;
  return `<div class="card item ${nc ? "nc" : ""}" data-id="${esc(it.id)}" data-module="${esc(it.module)}">
    <div class="row" style="justify-content:space-between"><h3>${esc(it.item)}</h3>
      <span>${it.major_hazard ? `<span class="tag major">重大隐患判定项</span>` : ""}${it.unverified ? `<span class="tag unverified">待核实</span>` : ""}<span class="tag">${esc(it.module)}</span></span></div>
    <div>${esc(it.check_content)}</div>
    <div class="muted">检查方法：${esc(it.check_method)}</div>
    <div class="answers">${btn("conforming", "符合")}${btn("non_conforming", "不符合")}${btn("not_applicable", "不涉及")}</div>
    ${nc ? `
      <div class="basis"><strong>检查依据：</strong>${it.check_basis.map(esc).join("；") || "—"}</div>
      <div class="basis"><strong>处罚依据：</strong>${it.penalties.map((p) => `${esc(p.law)}${esc(p.article)}：${esc(p.range)}${p.verified ? "" : `<span class="tag unverified">待核实</span>`}`).join("<br>") || "—"}</div>
      <div class="basis"><strong>建议现场措施：</strong>${esc(it.onsite_measure || "—")}</div>
      <label>检查情况（问题描述）</label>
      <textarea class="note" ${editable ? "" : "disabled"} placeholder="留空则使用检查事项内容">${esc(it.note)}</textarea>
      <div class="row" style="margin-top:8px">
        <label style="margin:0"><input type="checkbox" class="major" style="width:auto;min-height:0" ${editable ? "" : "disabled"}> 重大事故隐患</label>
        <label style="margin:0">整改期限（天）</label><input class="days" type="number" min="1" max="365" value="30" style="width:110px" ${editable ? "" : "disabled"}>
        <label class="photo-label" style="margin:0"><span>拍照/选择照片（已有 ${it.photos} 张）</span>
          <input class="photo-input" type="file" accept="image/*" capture="environment" ${editable ? "" : "disabled"}></label>
      </div>
      <div class="item-error"></div>` : ""}
  </div>`;
}

function renderInspection(v: HTMLElement, insp: InspectionView): void {
  v.innerHTML = `
    <div id="inspection-screen" data-id="${esc(insp.id)}">
      <h1>${esc(insp.enterprise_name)}</h1>
      <p class="muted">${esc(insp.place)} · ${esc(insp.officers.join("、"))} · ${esc(insp.status)}</p>
      <p id="inspection-progress">已检查 <strong>${insp.answered}</strong> / ${insp.items.length} 项，不符合 <strong>${insp.non_conforming}</strong> 项，照片 ${insp.photos} 张</p>
      <div class="row module-bar">${insp.modules.map((m) => {
        const its = insp.items.filter((x) => x.module === m);
        const done = its.filter((x) => x.result !== null).length;
        return `<button class="jump" data-module="${esc(m)}">${esc(m)} ${done}/${its.length}</button>`;
      }).join("")}<button class="jump-open" id="jump-open">下一未检项</button></div>
      <div id="items">${insp.items.map((it) => itemCard(it, insp.editable)).join("")}</div>
      <div class="card">
        ${insp.editable ? `<button class="primary" id="finish-inspection">结束现场检查</button>` : `<h2>执法文书</h2><div id="documents"></div>`}
        <div id="inspection-error"></div>
      </div>
    </div>`;
  v.querySelectorAll<HTMLElement>(".item").forEach((card) => wireItem(card, insp));
  v.querySelectorAll<HTMLElement>(".jump").forEach((b) => b.addEventListener("click", () => {
    const first = Array.from(v.querySelectorAll<HTMLElement>(".item")).find((c) => c.dataset.module === b.dataset.module);
    first?.scrollIntoView({ behavior: "smooth", block: "start" });
  }));
  $("#jump-open", v).addEventListener("click", () => {
    const next = Array.from(v.querySelectorAll<HTMLElement>(".item")).find((c) => !c.querySelector(".chosen"));
    if (next) next.scrollIntoView({ behavior: "smooth", block: "start" }); else toast("所有检查项均已填写");
  });
  if (insp.editable) {
    $("#finish-inspection", v).addEventListener("click", async () => {
      try {
        const done = await call<InspectionView>("finish_inspection", { id: insp.id });
        state.inspection = done;
        renderInspection(v, done);
        toast("现场检查已结束，可以签发文书");
      } catch (e) { showError($("#inspection-error"), e); }
    });
  } else {
    void renderDocuments(insp);
  }
}

function wireItem(card: HTMLElement, insp: InspectionView): void {
  const id = card.dataset.id as string;
  const save = async (result: string, note: string) => {
    try {
      await call<ItemView>("answer", { inspection_id: insp.id, item_id: id, result, note });
      const fresh = await call<InspectionView>("inspection_view", { id: insp.id });
      state.inspection = fresh;
      const it = fresh.items.find((x) => x.id === id);
      if (it) {
        const tmp = document.createElement("div");
        tmp.innerHTML = itemCard(it, fresh.editable);
        const next = tmp.firstElementChild as HTMLElement;
        card.replaceWith(next);
        wireItem(next, fresh);
      }
      $("#inspection-progress").innerHTML = `已检查 <strong>${fresh.answered}</strong> / ${fresh.items.length} 项，不符合 <strong>${fresh.non_conforming}</strong> 项，照片 ${fresh.photos} 张`;
      document.querySelectorAll<HTMLElement>(".jump").forEach((b) => {
        const its = fresh.items.filter((x) => x.module === b.dataset.module);
        b.textContent = `${b.dataset.module} ${its.filter((x) => x.result !== null).length}/${its.length}`;
      });
      void refreshBadge();
    } catch (e) {
      const box = card.querySelector(".item-error") as HTMLElement | null;
      if (box) showError(box, e); else toast((e as AppErrorBody).message);
    }
  };
  card.querySelectorAll<HTMLButtonElement>(".answers button").forEach((b) => b.addEventListener("click", () => {
    const note = (card.querySelector(".note") as HTMLTextAreaElement | null)?.value ?? "";
    void save(b.dataset.result as string, note);
  }));
  const note = card.querySelector(".note") as HTMLTextAreaElement | null;
  note?.addEventListener("change", () => { void save("non_conforming", note.value); });
  const hazardUpdate = async () => {
    const it = state.inspection?.items.find((x) => x.id === id);
    if (!it?.hazard_id) return;
    const major = (card.querySelector(".major") as HTMLInputElement).checked;
    const days = Number((card.querySelector(".days") as HTMLInputElement).value);
    try { await call("update_hazard", { hazard_id: it.hazard_id, major, rectify_days: days }); }
    catch (e) { showError(card.querySelector(".item-error") as HTMLElement, e); }
  };
  card.querySelector(".major")?.addEventListener("change", () => { void hazardUpdate(); });
  card.querySelector(".days")?.addEventListener("change", () => { void hazardUpdate(); });
  const photo = card.querySelector(".photo-input") as HTMLInputElement | null;
  photo?.addEventListener("change", async () => {
    const file = photo.files?.[0];
    if (!file) return;
    const it = state.inspection?.items.find((x) => x.id === id);
    const data = await readAsDataUrl(file);
    const pos = await position();
    try {
      await call("add_photo", { inspection_id: insp.id, hazard_id: it?.hazard_id ?? null, data, lat: pos?.[0] ?? null, lng: pos?.[1] ?? null });
      toast(pos ? "照片已保存（含定位）" : "照片已保存（未获取到定位）");
      const fresh = await call<InspectionView>("inspection_view", { id: insp.id });
      state.inspection = fresh;
      renderInspection($("#view"), fresh);
    } catch (e) { showError(card.querySelector(".item-error") as HTMLElement, e); }
  });
}

function readAsDataUrl(f: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result));
    r.onerror = () => reject({ code: "FILE_READ", message: "无法读取所选文件" });
    r.readAsDataURL(f);
  });
}

function position(): Promise<[number, number] | null> {
  return new Promise((resolve) => {
    if (!("geolocation" in navigator)) { resolve(null); return; }
    navigator.geolocation.getCurrentPosition((p) => resolve([p.coords.latitude, p.coords.longitude]), () => resolve(null), { timeout: 3000, maximumAge: 60000 });
  });
}

// ---------------------------------------------------------------- documents and printing

async function renderDocuments(insp: InspectionView): Promise<void> {
  const box = $("#documents");
  try {
    const docs = await call<DocumentView[]>("documents_of", { inspection_id: insp.id });
    const types: [string, string][] = [
      ["现场检查记录", "doc-record"], ["责令限期整改指令书", "doc-order"], ["现场处理措施决定书", "doc-measures"],
      ["文书送达回执", "doc-receipt"], ["整改复查意见书", "doc-review"],
    ];
    box.innerHTML = `
      <div class="row">${types.map(([t, key]) => {
        const d = docs.find((x) => x.doc_type === t);
        const label = d ? `${t}（${d.number ?? d.status}）` : `生成${t}`;
        return `<button class="doc-open" id="${key}" data-type="${esc(t)}">${esc(label)}</button>`;
      }).join("")}</div>
      <div id="doc-panel"></div>`;
    box.querySelectorAll<HTMLButtonElement>(".doc-open").forEach((b) => b.addEventListener("click", async () => {
      try {
        const d = await call<DocumentView>("prepare_document", { inspection_id: insp.id, doc_type: b.dataset.type });
        await showDocument(d.id);
      } catch (e) {
        // An issued document is opened as it is.
        const existing = docs.find((x) => x.doc_type === b.dataset.type);
        if (existing) await showDocument(existing.id); else showError($("#doc-panel"), e);
      }
    }));
  } catch (e) { showError(box, e); }
}

async function showDocument(id: string): Promise<void> {
  const panel = $("#doc-panel");
  panel.innerHTML = `<p class="muted">正在排版…</p>`;
  try {
    const p = await call<Preview>("preview_document", { id });
    state.preview = p;
    const d = p.document;
    panel.innerHTML = `
      <div class="card" id="document-view" data-id="${esc(d.id)}">
        <h2>${esc(d.doc_type)} <span class="tag" id="doc-status">${esc(d.status)}</span> <span id="doc-number">${esc(d.number ?? "（草稿，签发时编号）")}</span></h2>
        <div class="row">
          ${d.editable ? `<button class="primary" id="issue-doc">签发（取号）</button>` : `<button class="primary" id="print-doc">${d.printed ? "补打" : "打印"}</button>`}
        </div>
        <div class="progress" id="print-progress" hidden><div></div></div>
        <div id="doc-error"></div>
        <h3 style="margin-top:12px">现场签名（作为证据保存）</h3>
        <canvas id="sign-canvas" width="700" height="220"></canvas>
        <div class="row"><button id="save-signature">保存签名</button><button id="clear-signature">清除</button></div>
        <div class="pages">${p.pages.map((src, i) => `<img alt="第${i + 1}页" class="page" src="${src}">`).join("")}</div>
      </div>`;
    wireSignature(d);
    const issue = panel.querySelector("#issue-doc");
    issue?.addEventListener("click", async () => {
      try {
        const issued = await call<DocumentView>("issue_document", { id: d.id });
        toast(`已签发：${issued.number}`);
        if (state.inspection) await renderDocuments(state.inspection);
        await showDocument(issued.id);
        void refreshBadge();
      } catch (e) { showError($("#doc-error"), e); }
    });
    panel.querySelector("#print-doc")?.addEventListener("click", () => { void printDoc(d.id, null); });
  } catch (e) { showError(panel, e); }
}

async function printDoc(id: string, resumeJob: number | null): Promise<void> {
  const bar = $("#print-progress");
  bar.hidden = false;
  const err = $("#doc-error");
  err.innerHTML = "";
  try {
    const job = resumeJob === null
      ? await call<PrintJob>("print_document", { id })
      : await call<PrintJob>("resume_print", { job_id: resumeJob });
    if (job.state === "done") {
      (bar.firstElementChild as HTMLElement).style.width = "100%";
      err.innerHTML = `<p class="ok" id="print-done">${job.reprint ? "补打完成（已记录为补打）" : "打印完成"}：${esc(job.number)}</p>`;
    } else {
      err.innerHTML = `<div class="error" data-code="${esc(job.error_code)}">${esc(job.error_message)}</div><button id="resume-print" data-job="${job.id}">继续打印</button>`;
      $("#resume-print").addEventListener("click", () => { void printDoc(id, job.id); });
    }
  } catch (e) { showError(err, e); }
}

function wireSignature(d: DocumentView): void {
  const c = $("#sign-canvas") as HTMLCanvasElement;
  const ctx = c.getContext("2d");
  if (!ctx) return;
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, c.width, c.height);
  ctx.lineWidth = 3;
  ctx.lineCap = "round";
  let drawing = false;
  let dirty = false;
  const at = (e: PointerEvent): [number, number] => {
    const r = c.getBoundingClientRect();
    return [(e.clientX - r.left) * (c.width / r.width), (e.clientY - r.top) * (c.height / r.height)];
  };
  c.addEventListener("pointerdown", (e) => { drawing = true; const [x, y] = at(e); ctx.beginPath(); ctx.moveTo(x, y); });
  c.addEventListener("pointermove", (e) => { if (!drawing) return; const [x, y] = at(e); ctx.lineTo(x, y); ctx.stroke(); dirty = true; });
  c.addEventListener("pointerup", () => { drawing = false; });
  $("#clear-signature").addEventListener("click", () => { ctx.fillRect(0, 0, c.width, c.height); dirty = false; });
  $("#save-signature").addEventListener("click", async () => {
    if (!dirty) { toast("请先在框内签名"); return; }
    try {
      await call("add_signature", { inspection_id: d.inspection_id, data: c.toDataURL("image/png") });
      toast("签名已保存");
      void refreshBadge();
    } catch (e) { showError($("#doc-error"), e); }
  });
}

// ---------------------------------------------------------------- hazards, library

async function showHazards(): Promise<void> {
  setNav("hazards");
  const v = view(`<p class="muted">加载中…</p>`);
  try {
    const hs = await call<HazardView[]>("hazards");
    v.innerHTML = `<div id="hazards-screen"><h1>隐患整改跟踪</h1><div id="hazard-error"></div><div class="card">${hs.length ? hs.map((h) => `
      <div class="hazard-block">
        ${hazardRow(h)}
        ${h.deadline && (h.status_code === "open" || h.status_code === "review_requested") ? `
          <div class="row" style="margin:6px 0 12px">
            <button class="review-pass" data-id="${esc(h.id)}">复查：已整改</button>
            <button class="review-fail danger" data-id="${esc(h.id)}">复查：未整改</button>
          </div>` : ""}
      </div>`).join("") : `<p class="muted">没有未销号的隐患</p>`}</div></div>`;
    v.querySelectorAll<HTMLElement>(".hazard").forEach((el) => el.addEventListener("click", () => {
      const h = hs.find((x) => x.id === el.dataset.id);
      if (h) void showInspection(h.inspection_id);
    }));
    const review = async (id: string, passed: boolean) => {
      try {
        await call("review_hazard", { hazard_id: id, passed });
        toast(passed ? "已记录：整改完毕" : "已记录：未整改");
        await showHazards();
      } catch (e) { showError($("#hazard-error"), e); }
    };
    v.querySelectorAll<HTMLElement>(".review-pass").forEach((b) => b.addEventListener("click", () => { void review(b.dataset.id as string, true); }));
    v.querySelectorAll<HTMLElement>(".review-fail").forEach((b) => b.addEventListener("click", () => { void review(b.dataset.id as string, false); }));
  } catch (e) { await handleSessionError(e, v); }
}

async function showLibrary(): Promise<void> {
  setNav("library");
  const v = view(`
    <div id="library-screen">
      <h1>法律法规与检查事项（离线）</h1>
      <input id="law-input" placeholder="例如：有限空间、第四十一条、粉尘">
      <div class="grid2" style="margin-top:12px">
        <div class="card"><h2>法条</h2><div id="law-results"></div></div>
        <div class="card"><h2>检查事项</h2><div id="item-results"></div></div>
      </div>
    </div>`);
  const input = $("#law-input", v) as HTMLInputElement;
  input.addEventListener("input", async () => {
    const q = input.value;
    try {
      const [laws, items] = await Promise.all([call<LawHit[]>("search_laws", { q }), call<ItemHit[]>("search_items", { q })]);
      $("#law-results").innerHTML = laws.map((l) => `<div class="list-item law-hit" style="display:block"><strong>《${esc(l.short)}》${esc(l.article)}</strong>${l.verbatim ? "" : `<span class="tag unverified">非原文</span>`}<br>${esc(l.text)}</div>`).join("") || `<p class="muted">无</p>`;
      $("#item-results").innerHTML = items.map((i) => `<div class="list-item" style="display:block">${i.major_hazard ? `<span class="tag major">重大隐患</span>` : ""}<span class="tag">${esc(i.module)}</span> ${esc(i.item)}</div>`).join("") || `<p class="muted">无</p>`;
    } catch (e) { showError($("#law-results"), e); }
  });
  input.focus();
}

// ---------------------------------------------------------------- sync, settings

let syncing = false;

async function showSync(start = false): Promise<void> {
  setNav("sync");
  const v = view(`
    <div id="sync-screen">
      <h1>数据同步</h1>
      <div class="card">
        <button class="primary" id="sync-now">立即同步</button>
        <p id="sync-stage" class="muted"></p>
        <div id="sync-result"></div>
      </div>
      <div class="card"><h2>服务器标记的冲突（待主管裁决）</h2><div id="conflicts"></div></div>
      <div class="card"><h2>服务器退回的修改（保留在本机）</h2><div id="refused"></div></div>
    </div>`);
  const conflicts = await call<ConflictView[]>("conflicts").catch(() => []);
  renderConflicts(conflicts);
  const refused = await call<{ code: string; message: string }[]>("refused_changes").catch(() => []);
  $("#refused", v).innerHTML = refused.length ? refused.map((r) => `<div class="list-item"><span>${esc(r.message)}</span><span class="muted">${esc(r.code)}</span></div>`).join("") : `<p class="muted">无</p>`;
  $("#sync-now", v).addEventListener("click", () => { void runSync(); });
  if (start) await runSync();
}

function renderConflicts(cs: ConflictView[]): void {
  const box = document.getElementById("conflicts");
  if (!box) return;
  box.innerHTML = cs.length ? cs.map((c) => `
    <div class="list-item conflict" style="display:block">
      <span class="tag major">${esc(c.record)}·${esc(c.field)}</span> ${esc(c.message)}
      <div class="muted">各方的值：${c.values.map((v) => `「${esc(v)}」`).join(" / ")}</div>
    </div>`).join("") : `<p class="muted">无</p>`;
}

async function runSync(): Promise<void> {
  if (syncing) return;
  syncing = true;
  const btn = $("#sync-now") as HTMLButtonElement;
  btn.disabled = true;
  const out = $("#sync-result");
  out.innerHTML = "";
  try {
    const s = await call<SyncSummary>("sync_now");
    out.innerHTML = `
      <p class="ok" id="sync-done">同步完成（${esc(s.finished_at)}）</p>
      <p>上传 ${s.pushed} 条（重复 ${s.duplicates}），下载 ${s.pulled} 条，照片 ${s.files_uploaded} 张；仍未同步 ${s.unsynced} 条</p>
      <p>${s.open_conflicts.length ? `<span class="tag major">本机记录上有 ${s.open_conflicts.length} 处冲突，见下方，待主管裁决</span>` : "无冲突"}${s.quarantined ? ` · <span class="tag unverified">${s.quarantined} 条因设备时间异常被隔离</span>` : ""}</p>
      <p class="muted">可用文书编号：${s.numbers_left.map(([t, n]) => `${esc(t)} ${n} 个`).join("，")}</p>
      ${s.refused.map((r) => `<div class="error">${esc(r.message)}（${esc(r.code)}）</div>`).join("")}`;
    renderConflicts(s.open_conflicts);
    const st = await call<AppStatus>("app_status");
    if (st.officer) { state.officer = st.officer; enterApp(); }
  } catch (e) {
    out.innerHTML = errorBox(e) + `<p class="muted">已保存的数据都在本机，网络恢复后再点“立即同步”。</p>`;
  } finally {
    syncing = false;
    btn.disabled = false;
    $("#sync-stage").textContent = "";
    void refreshBadge();
  }
}

async function showSettings(): Promise<void> {
  setNav("settings");
  const v = view(`<p class="muted">加载中…</p>`);
  try {
    const p = await call<PrinterConfig>("printer");
    v.innerHTML = `
      <div id="settings-screen" class="card">
        <h1>打印机</h1>
        <label for="printer-kind">类型</label>
        <select id="printer-kind">
          <option value="none">不使用打印机</option>
          <option value="tcp">网络打印机（TCP 9100）</option>
          <option value="serial">蓝牙串口打印机（/dev/rfcomm0）</option>
          <option value="bluetooth">蓝牙打印机（SPP，平板直连）</option>
        </select>
        <label for="printer-address">地址（主机:端口、/dev/rfcomm0 或 AA:BB:CC:DD:EE:FF）</label>
        <input id="printer-address" value="${esc(p.address)}">
        <label for="printer-profile">纸宽</label>
        <select id="printer-profile"><option value="80mm">80 mm 小票</option><option value="58mm">58 mm 小票</option><option value="a4">A4 热敏（216 mm）</option></select>
        <label><input id="printer-chinese" type="checkbox" style="width:auto;min-height:0" ${p.chinese_font ? "checked" : ""}> 打印机带中文字库</label>
        <div id="settings-error"></div>
        <button class="primary" id="save-printer">保存</button>
      </div>`;
    ($("#printer-kind") as HTMLSelectElement).value = p.kind;
    ($("#printer-profile") as HTMLSelectElement).value = p.profile;
    $("#save-printer").addEventListener("click", async () => {
      try {
        await call("set_printer", { config: {
          kind: ($("#printer-kind") as HTMLSelectElement).value,
          address: ($("#printer-address") as HTMLInputElement).value,
          profile: ($("#printer-profile") as HTMLSelectElement).value,
          chinese_font: ($("#printer-chinese") as HTMLInputElement).checked,
        } });
        toast("打印机设置已保存");
        $("#settings-error").innerHTML = `<p class="ok" id="printer-saved">已保存</p>`;
      } catch (e) { showError($("#settings-error"), e); }
    });
  } catch (e) { await handleSessionError(e, v); }
}

// ---------------------------------------------------------------- start

function wireShell(): void {
  const routes: Record<string, () => Promise<void>> = {
    home: showHome, search: showSearch, hazards: showHazards, library: showLibrary, sync: () => showSync(false), settings: showSettings,
  };
  document.querySelectorAll<HTMLButtonElement>("button.nav").forEach((b) => b.addEventListener("click", () => {
    state.inspection = null;
    void routes[b.dataset.nav as string]();
  }));
  $("#lock-btn").addEventListener("click", () => { void lockScreen(); });
  for (const ev of ["pointerdown", "keydown", "touchstart"]) {
    document.addEventListener(ev, () => { state.lastActivity = Date.now(); }, { passive: true });
  }
  window.setInterval(() => {
    if (state.officer && !state.locked && Date.now() - state.lastActivity > IDLE_LOCK_MS) void lockScreen();
  }, 15000);
  listen<{ stage: string; done: number; total: number | null }>("sync-progress", (p) => {
    const el = document.getElementById("sync-stage");
    if (el) el.textContent = `${p.stage}：${p.done}${p.total !== null ? " / " + p.total : ""}`;
  });
  listen<{ done: number; total: number }>("print-progress", (p) => {
    const bar = document.querySelector("#print-progress > div") as HTMLElement | null;
    if (bar && p.total > 0) bar.style.width = `${Math.round((100 * p.done) / p.total)}%`;
  });
}

async function boot(): Promise<void> {
  wireShell();
  const st = await call<AppStatus>("app_status").catch(() => null);
  if (st?.officer && !st.locked) { state.officer = st.officer; enterApp(); await showHome(); }
  else await showLogin();
}

void boot();
