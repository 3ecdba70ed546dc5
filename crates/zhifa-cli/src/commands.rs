//! The subcommands. Each one opens the replica, delegates, and prints.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;
use serde::Serialize;
use zhifa_core::deadline::{DayType, DeadlineCalculator, DeadlineRules, RuleId};
use zhifa_core::enterprise::Enterprise;
use zhifa_core::officer::{Officer, Role, Training};
use zhifa_core::org::Organisation;
use zhifa_core::plan::{Plan, PlanTask, TaskKind};
use zhifa_import::{ImportError, RowError};
use zhifa_seed::demo::{self, DemoSize};
use zhifa_store::{PutOutcome, Replica, StoreError};

use crate::SearchWhat;

/// `println!` that treats a closed pipe (`zhifa search … | head`) as a normal end instead of
/// a panic, and reports other write errors.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if let Err(e) = writeln!(std::io::stdout().lock(), $($arg)*) {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                std::process::exit(0);
            }
            return Err(e.into());
        }
    }};
}

/// Stable code of an error for the `错误[CODE]` prefix.
pub(crate) fn error_code(e: &anyhow::Error) -> &'static str {
    if let Some(s) = e.downcast_ref::<StoreError>() {
        return s.code();
    }
    if let Some(s) = e.downcast_ref::<zhifa_sync_client::SyncError>() {
        return match s.code() {
            "NETWORK" => "NETWORK",
            _ => "SYNC_ERROR",
        };
    }
    if e.downcast_ref::<zhifa_seed::SeedError>().is_some() {
        return "SEED_INVALID";
    }
    if let Some(i) = e.downcast_ref::<ImportFailure>() {
        return i.code();
    }
    "ERROR"
}

/// Opens (creating if needed) and loads the seed; returns the replica.
fn init_replica(db: &Path) -> Result<(Replica, zhifa_seed::Reference, bool)> {
    let mut r = Replica::init(db)?;
    let reference = zhifa_seed::reference()?;
    let stats = r.load_reference(
        &reference.version,
        &reference.area,
        &reference.items,
        &reference.laws,
        &reference.document_types,
    )?;
    let orgs = zhifa_seed::organisations(&reference.area);
    r.write(|w| {
        for o in &orgs {
            w.put(o)?;
        }
        Ok::<_, StoreError>(())
    })?;
    Ok((r, reference, stats.changed))
}

pub(crate) fn init(db: &Path) -> Result<ExitCode> {
    let (r, reference, changed) = init_replica(db)?;
    out!("数据库已就绪：{}", r.path().display());
    out!("  设备编号：{}", r.device_id());
    out!(
        "  基础数据{}：行政区划 {} 个，检查事项 {} 项，法规条文 {} 条，文书种类 {} 种，执法机构 {} 个",
        if changed { "已载入" } else { "已是最新" },
        reference.area.all().count(),
        reference.items.len(),
        reference.laws.len(),
        reference.document_types.len(),
        r.count::<Organisation>()?,
    );
    Ok(ExitCode::SUCCESS)
}

/// A failed import: the file was unusable, or the database refused the transaction.
#[derive(Debug, thiserror::Error)]
enum ImportFailure {
    #[error(transparent)]
    Import(#[from] ImportError<StoreError>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ImportFailure {
    fn code(&self) -> &'static str {
        match self {
            Self::Import(e) => e.code(),
            Self::Store(e) => e.code(),
        }
    }
}

#[derive(Serialize)]
struct ImportJson<'a> {
    imported: usize,
    invalid: &'a [RowError],
}

pub(crate) fn import_enterprises(file: &Path, db: &Path, dry_run: bool, json: bool) -> Result<ExitCode> {
    let mut r = Replica::open(db)?;
    let area = zhifa_core::division::Area::luliang();
    let mut counts = [0usize; 3];
    let run = |w: &mut zhifa_store::Writer<'_>| {
        zhifa_import::import_ledger(file, &area, |_row, data| {
            let (_, o) = w.upsert_enterprise(data)?;
            counts[match o {
                PutOutcome::Inserted => 0,
                PutOutcome::Updated => 1,
                PutOutcome::Unchanged => 2,
            }] += 1;
            Ok::<_, StoreError>(())
        })
        .map_err(ImportFailure::from)
    };
    let report = if dry_run { r.dry_run(run) } else { r.write(run) };
    let report = match report {
        Ok(rep) => rep,
        Err(e) => {
            if json {
                out!("{}", serde_json::json!({"error": {"code": e.code(), "message": e.to_string()}}));
            }
            return Err(e.into());
        }
    };
    if json {
        out!("{}", serde_json::to_string(&ImportJson { imported: report.valid, invalid: &report.invalid })?);
    } else {
        out!("文件格式：{}", report.format);
        if !report.ignored_columns.is_empty() {
            out!("未识别的列（已忽略）：{}", report.ignored_columns.join("、"));
        }
        let verb = if dry_run { "可导入（试运行，未写入数据库）" } else { "已导入" };
        out!(
            "共 {} 行：{verb} {} 行（新增 {}，更新 {}，无变化 {}），有错误 {} 行",
            report.rows,
            report.valid,
            counts[0],
            counts[1],
            counts[2],
            report.invalid_rows
        );
        for e in &report.invalid {
            out!("  第{}行 [{}] {}：{}", e.row, e.code.as_str(), e.field, e.message);
        }
    }
    Ok(if report.invalid.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(3) })
}

pub(crate) fn search(what: SearchWhat, q: &str, db: &Path, limit: usize, json: bool) -> Result<ExitCode> {
    let r = Replica::open(db)?;
    match what {
        SearchWhat::Enterprises => {
            let hits = r.search_enterprises(q, limit)?;
            if json {
                out!("{}", serde_json::to_string(&hits)?);
            } else {
                for h in &hits {
                    out!("{}  {}  {}", h.credit_code, h.name, h.address);
                }
                out!("共 {} 条", hits.len());
            }
        }
        SearchWhat::Items => {
            let hits = r.search_items(q, limit)?;
            if json {
                out!("{}", serde_json::to_string(&hits)?);
            } else {
                for h in &hits {
                    let major = if h.major_hazard { " 【重大事故隐患】" } else { "" };
                    out!("{}  {}/{}  {}{major}", h.id, h.industry, h.module, h.item);
                }
                out!("共 {} 条", hits.len());
            }
        }
        SearchWhat::Laws => {
            let hits = r.search_laws(q, limit)?;
            if json {
                out!("{}", serde_json::to_string(&hits)?);
            } else {
                for h in &hits {
                    let mark = if h.verbatim { "" } else { "【转述，待核实】" };
                    out!("《{}》{}{mark}：{}", h.short, h.article, h.text);
                }
                out!("共 {} 条", hits.len());
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn demo_data(db: &Path, seed: u64, enterprises: usize) -> Result<ExitCode> {
    let (mut r, reference, _) = init_replica(db)?;
    let d = demo::generate(&reference.area, seed, DemoSize { enterprises, ..DemoSize::default() });
    let mut new = 0usize;
    r.write(|w| {
        for (id, data) in d.enterprise_ids.iter().zip(&d.enterprises) {
            // Keep the id of an enterprise already in the ledger (same credit code).
            let (_, o) = w.upsert_enterprise_with_id(*id, data.clone())?;
            new += usize::from(o == PutOutcome::Inserted);
        }
        for o in &d.officers {
            w.put(o)?;
        }
        for t in &d.trainings {
            w.put(t)?;
        }
        for p in &d.plans {
            w.put(p)?;
        }
        for t in &d.tasks {
            w.put(t)?;
        }
        Ok::<_, StoreError>(())
    })?;
    out!("演示数据已载入：{}", r.path().display());
    out!(
        "  企业 {} 家（本次新增 {new}），执法人员 {} 名，培训记录 {} 条，年度计划 {} 个，检查任务 {} 项",
        r.count::<Enterprise>()?,
        r.count::<Officer>()?,
        r.count::<Training>()?,
        r.count::<Plan>()?,
        r.count::<PlanTask>()?
    );
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn tour(db: &Path) -> Result<ExitCode> {
    let r = Replica::open(db)?;
    out!("== 执法通 Zhifa 数据库概览：{} ==", r.path().display());
    let orgs = r.list::<Organisation>()?;
    out!("\n【执法机构】{} 个", orgs.len());
    for o in orgs.iter().take(4) {
        out!("  {}（文书编号机关简称“{}”，待核实）", o.name, o.short_name);
    }
    let officers = r.list::<Officer>()?;
    out!("\n【执法人员库】{} 名", officers.len());
    for role in Role::ALL {
        out!("  {}：{} 名", role.label(), officers.iter().filter(|o| o.has(role)).count());
    }
    out!("\n【检查对象库】企业 {} 家", r.count::<Enterprise>()?);
    for q in ["钢铁", "孝义 化工", "铝"] {
        let hits = r.search_enterprises(q, 3)?;
        out!("  检索“{q}”：");
        for h in hits {
            out!("    {}  {}", h.credit_code, h.name);
        }
    }
    let items = r.check_items(None, None)?;
    out!(
        "\n【检查事项清单】{} 项，其中重大事故隐患 {} 项，待核实表述 {} 项",
        items.len(),
        items.iter().filter(|i| i.major_hazard).count(),
        items.iter().filter(|i| i.unverified()).count()
    );
    if let Some(it) = r.search_items("粉尘", 1)?.first() {
        let item = r.check_item(&it.id)?.expect("search hit exists");
        out!("  例：{} {}", item.id, item.item);
        out!("    检查依据：{}", item.check_basis.join("；"));
        for p in &item.penalty_basis {
            let mark = if p.mapping == "suggested" { "（建议对应，需结合案情确认）" } else { "" };
            out!("    处罚依据：{}{}{mark}", p.law, p.article);
        }
    }
    if let Some(l) = r.law("安全生产法", 113)? {
        out!("\n【法规库】例：《{}》{}：{}", l.short, l.article, l.text.chars().take(60).collect::<String>() + "…");
    }
    let plans = r.list::<Plan>()?;
    let tasks = r.list::<PlanTask>()?;
    out!(
        "\n【年度计划】{} 个，检查任务 {} 项（重点检查 {}，双随机 {}）",
        plans.len(),
        tasks.len(),
        tasks.iter().filter(|t| t.kind == TaskKind::Key).count(),
        tasks.iter().filter(|t| t.kind == TaskKind::Random).count()
    );
    let example = chrono::NaiveDate::from_ymd_opt(2026, 2, 13).expect("valid date");
    out!("\n【法定期限示例】自{}（春节前）起算：", zh_date(example));
    print_deadlines(example, Some(RuleId::HearingRequest), "  ")?;
    print_deadlines(example, Some(RuleId::Payment), "  ")?;
    print_deadlines(example, Some(RuleId::Publicize), "  ")?;
    out!("\n【待同步变更】{} 条", r.pending_change_count()?);
    Ok(ExitCode::SUCCESS)
}

fn print_deadlines(from: chrono::NaiveDate, only: Option<RuleId>, indent: &str) -> Result<usize> {
    let calc = DeadlineCalculator::builtin();
    let mut n = 0;
    for &id in RuleId::ALL.iter().filter(|id| only.is_none_or(|o| o == **id)) {
        let Ok(d) = calc.period(id, from) else { continue };
        let rule = DeadlineRules::builtin().get(id)?;
        let kind = match d.day_type {
            Some(DayType::Working) => "工作日",
            _ => "自然日",
        };
        let mut notes = Vec::new();
        if d.rolled_forward {
            notes.push(format!("届满日遇节假日顺延（原为{}）", zh_date(d.nominal_due)));
        }
        if d.needs_caution() {
            notes.push("依据待核实".to_owned());
        }
        let notes = if notes.is_empty() { String::new() } else { format!("（{}）", notes.join("；")) };
        out!(
            "{indent}{} {}：{}{kind}，届满日 {}{notes}",
            id.as_str(),
            rule.name,
            rule.days.first().copied().unwrap_or(0),
            zh_date(d.due)
        );
        n += 1;
    }
    Ok(n)
}

fn zh_date(d: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

pub(crate) fn deadline(from: &str, rule: Option<&str>) -> Result<ExitCode> {
    let Some(from) = zhifa_core::enterprise::parse_date(from) else {
        anyhow::bail!("起算日期“{from}”无效，请使用 2026-02-13 这样的格式");
    };
    let only = match rule {
        Some(r) => Some(RuleId::parse(r).ok_or_else(|| anyhow::anyhow!("未知的期限规则“{r}”"))?),
        None => None,
    };
    out!("自 {} 起算（期间开始之日不计入）：", zh_date(from));
    if print_deadlines(from, only, "  ")? == 0 {
        anyhow::bail!("该规则不是按固定天数计算的期限");
    }
    Ok(ExitCode::SUCCESS)
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn sim(
    server: &str,
    devices: usize,
    days: u32,
    conflict_rate: u32,
    seed: u64,
    faults: bool,
    parallel: usize,
    json: bool,
) -> Result<ExitCode> {
    if devices == 0
        || devices > 1000
        || days == 0
        || days > 30
        || conflict_rate > 100
        || parallel == 0
        || parallel > 1000
    {
        anyhow::bail!("参数超出范围：平板 1–1000 台，天数 1–30，冲突比例 0–100，同时上传 1–1000 台");
    }
    let cfg = zhifa_sync_client::sim::SimConfig {
        devices,
        days,
        conflict_pct: conflict_rate,
        seed,
        faults,
        parallel,
        ..Default::default()
    };
    let dir = tempfile::tempdir()?;
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let s = rt.block_on(zhifa_sync_client::sim::run(server, &cfg, dir.path()))?;
    if json {
        out!("{}", serde_json::to_string(&s)?);
    } else {
        out!("模拟完成：{} 台平板，离线 {} 天，用时 {:.1} 秒", s.replicas, days, s.wall_ms as f64 / 1000.0);
        out!("  数据一致：{}", if s.converged { "是" } else { "否" });
        out!(
            "  重复记录：{}，冲突（现存/共标记）：{}/{}，同字段并发修改：{}",
            s.duplicates,
            s.conflicts,
            s.conflicts_raised,
            s.concurrent_same_field_edits
        );
        out!("  上传变更 {} 条，下载记录 {} 条，被拒或隔离 {} 条", s.changes_pushed, s.changes_pulled, s.refused);
        out!("  网络流量：上行 {} 字节，下行 {} 字节", s.bytes_up, s.bytes_down);
        for d in &s.differences {
            out!("  差异：{d}");
        }
    }
    Ok(if s.converged && s.duplicates == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
