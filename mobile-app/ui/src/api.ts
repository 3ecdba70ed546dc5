// Typed access to the Rust commands. Errors arrive as {code, message}.

interface AppErrorBody { code: string; message: string }

interface TauriGlobal {
  core: { invoke<T>(cmd: string, args?: Record<string, unknown>): Promise<T> };
  event: { listen<T>(name: string, cb: (e: { payload: T }) => void): Promise<() => void> };
}

function tauri(): TauriGlobal {
  const t = (window as unknown as { __TAURI__?: TauriGlobal }).__TAURI__;
  if (!t) throw { code: "NO_BRIDGE", message: "应用外壳未就绪" } as AppErrorBody;
  return t;
}

async function call<T>(cmd: string, args: Record<string, unknown> = {}): Promise<T> {
  try {
    return await tauri().core.invoke<T>(cmd, args);
  } catch (e) {
    const err = e as Partial<AppErrorBody> | string;
    if (typeof err === "string") throw { code: "ERROR", message: err } as AppErrorBody;
    throw { code: err.code ?? "ERROR", message: err.message ?? String(e) } as AppErrorBody;
  }
}

function listen<T>(name: string, cb: (p: T) => void): void {
  tauri().event.listen<T>(name, (e) => cb(e.payload)).catch(() => undefined);
}

interface Officer { id: string; login: string; name: string; roles: string[]; county_code: string | null; org_id: string | null; org_name: string | null }
interface HazardView { id: string; enterprise_id: string; enterprise_name: string; inspection_id: string; description: string; major: boolean; deadline: string | null; days_left: number | null; status: string; status_code: string }
interface InspectionSummary { id: string; enterprise_id: string; enterprise_name: string; started_at: string | null; status: string; editable: boolean }
interface TaskView { id: string; enterprise_id: string; enterprise_name: string; kind: string; month: number; mine: boolean }
interface Home { officer: Officer; today: string; tasks: TaskView[]; open_inspections: InspectionSummary[]; unsynced: number; last_sync: string | null; hazards_due: HazardView[]; enterprises: number; clock_warning: string | null; unfinished_prints: number }
interface EnterpriseHit { id: string; name: string; credit_code: string; county_code: string; address: string }
interface DocumentSummary { id: string; doc_type: string; number: string | null; status: string; inspection_id: string | null }
interface EnterpriseFile { id: string; name: string; fields: { label: string; value: string }[]; tags: string[]; inspections: InspectionSummary[]; open_hazards: HazardView[]; documents: DocumentSummary[] }
interface ModuleOption { industry: string; module: string; items: number; suggested: boolean }
interface Colleague { id: string; name: string; cert_no: string }
interface Penalty { law: string; article: string; range: string; verified: boolean }
interface ItemView { id: string; module: string; category: string; item: string; check_content: string; check_method: string; check_basis: string[]; penalties: Penalty[]; onsite_measure: string; major_hazard: boolean; unverified: boolean; result: string | null; note: string; hazard_id: string | null; photos: number }
interface InspectionView { id: string; enterprise_id: string; enterprise_name: string; place: string; status: string; editable: boolean; modules: string[]; officers: string[]; items: ItemView[]; answered: number; non_conforming: number; photos: number }
interface DocumentView { id: string; doc_type: string; number: string | null; status: string; editable: boolean; inspection_id: string | null; content_hash: string | null; printed: number }
interface Preview { document: DocumentView; pages: string[]; qr_payload: string }
interface PrinterConfig { kind: string; address: string; profile: string; chinese_font: boolean }
interface PrintJob { id: number; document_id: string; number: string | null; reprint: boolean; printer: string; state: string; bytes_total: number; bytes_sent: number; attempts: number; error_code: string | null; error_message: string | null }
interface ConflictView { record: string; id: string; field: string; kind: string; values: string[]; message: string }
interface SyncSummary { open_conflicts: ConflictView[]; pushed: number; duplicates: number; pulled: number; conflicts: number; quarantined: number; refused: { code: string; message: string }[]; files_uploaded: number; numbers_left: [string, number][]; bytes_up: number; bytes_down: number; unsynced: number; finished_at: string }
interface LawHit { short: string; article: string; text: string; verbatim: boolean }
interface ItemHit { id: string; industry: string; module: string; item: string; major_hazard: boolean }
interface AppStatus { last_login: string | null; officer: Officer | null; locked: boolean; server: string }
interface LoginOutcome { officer: Officer; mode: "online" | "offline"; offline_reason: string | null }
