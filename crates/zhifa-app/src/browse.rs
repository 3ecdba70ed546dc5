//! Read-only screens: home, enterprise search and file (一企一档), law and item library.

use serde::Serialize;
use zhifa_core::document::Document;
use zhifa_core::enterprise::Enterprise;
use zhifa_core::hazard::Hazard;
use zhifa_core::inspection::Inspection;
use zhifa_core::plan::{PlanTask, TaskKind};
use zhifa_core::workflow::{AnyStatus, HazardStatus, InspectionStatus};
use zhifa_store::{EnterpriseHit, ItemHit, LawHit};

use crate::{App, AppError, AppResult, OfficerView};

/// A plan task on the home screen.
#[derive(Debug, Clone, Serialize)]
pub struct TaskView {
    /// Task id.
    pub id: String,
    /// Enterprise id.
    pub enterprise_id: String,
    /// Enterprise name.
    pub enterprise_name: String,
    /// 重点检查 / 双随机抽查.
    pub kind: String,
    /// Planned month.
    pub month: u32,
    /// Whether the signed-in officer is assigned.
    pub mine: bool,
}

/// A hazard in lists.
#[derive(Debug, Clone, Serialize)]
pub struct HazardView {
    /// Hazard id.
    pub id: String,
    /// Enterprise id.
    pub enterprise_id: String,
    /// Enterprise name.
    pub enterprise_name: String,
    /// Inspection id.
    pub inspection_id: String,
    /// Description.
    pub description: String,
    /// 重大事故隐患.
    pub major: bool,
    /// Deadline (YYYY-MM-DD).
    pub deadline: Option<String>,
    /// Days left (negative: overdue).
    pub days_left: Option<i64>,
    /// Status label.
    pub status: String,
    /// Status code (`open`, `review_requested` …).
    pub status_code: HazardStatus,
}

/// An inspection in lists.
#[derive(Debug, Clone, Serialize)]
pub struct InspectionSummary {
    /// Id.
    pub id: String,
    /// Enterprise id.
    pub enterprise_id: String,
    /// Enterprise name.
    pub enterprise_name: String,
    /// Start (local time, `YYYY-MM-DD HH:MM`).
    pub started_at: Option<String>,
    /// Status label.
    pub status: String,
    /// Whether answers can still be changed.
    pub editable: bool,
}

/// A document in lists.
#[derive(Debug, Clone, Serialize)]
pub struct DocumentSummary {
    /// Id.
    pub id: String,
    /// Type name.
    pub doc_type: String,
    /// Number (issued documents).
    pub number: Option<String>,
    /// 草稿 / 已签发 …
    pub status: String,
    /// Inspection.
    pub inspection_id: Option<String>,
}

/// The home screen.
#[derive(Debug, Clone, Serialize)]
pub struct Home {
    /// Signed-in officer.
    pub officer: OfficerView,
    /// Today (`2026年11月29日`).
    pub today: String,
    /// Outstanding plan tasks of the officer's unit (this month and earlier, not started).
    pub tasks: Vec<TaskView>,
    /// Inspections in progress.
    pub open_inspections: Vec<InspectionSummary>,
    /// Changes not yet acknowledged by the server.
    pub unsynced: u64,
    /// Last successful sync (local time), if any.
    pub last_sync: Option<String>,
    /// Open hazards whose deadline is within 7 days or passed (复查 due).
    pub hazards_due: Vec<HazardView>,
    /// Enterprises on the tablet.
    pub enterprises: u64,
}

/// One row of the enterprise file.
#[derive(Debug, Clone, Serialize)]
pub struct Field {
    /// Label.
    pub label: String,
    /// Value.
    pub value: String,
}

/// 一企一档.
#[derive(Debug, Clone, Serialize)]
pub struct EnterpriseFile {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Ledger fields.
    pub fields: Vec<Field>,
    /// 专项标签.
    pub tags: Vec<String>,
    /// Past and current inspections, newest first.
    pub inspections: Vec<InspectionSummary>,
    /// Hazards not closed.
    pub open_hazards: Vec<HazardView>,
    /// Documents issued or drafted.
    pub documents: Vec<DocumentSummary>,
}

/// Status label of a document.
pub fn document_status_label(d: &Document) -> &'static str {
    use zhifa_core::document::DocumentStatus::*;
    match d.status {
        Draft => "草稿",
        Issued => "已签发",
        Served => "已送达",
        Corrected => "已更正",
    }
}

impl App {
    pub(crate) fn enterprise_name(&self, id: &str) -> String {
        self.replica
            .get::<Enterprise>(id)
            .ok()
            .flatten()
            .map(|e| e.data.name)
            .unwrap_or_else(|| "（未同步的企业）".into())
    }

    pub(crate) fn hazard_view(&self, h: &Hazard) -> HazardView {
        let today = self.today();
        HazardView {
            id: h.id.to_string(),
            enterprise_id: h.enterprise.to_string(),
            enterprise_name: self.enterprise_name(&h.enterprise.to_string()),
            inspection_id: h.inspection.to_string(),
            description: h.description.clone(),
            major: h.major,
            deadline: h.deadline.map(|d| d.to_string()),
            days_left: h.deadline.map(|d| (d - today).num_days()),
            status: AnyStatus::Hazard(h.status).label_zh().to_owned(),
            status_code: h.status,
        }
    }

    pub(crate) fn inspection_summary(&self, i: &Inspection) -> InspectionSummary {
        InspectionSummary {
            id: i.id.to_string(),
            enterprise_id: i.enterprise.to_string(),
            enterprise_name: self.enterprise_name(&i.enterprise.to_string()),
            started_at: i.started_at.map(|t| t.format("%Y-%m-%d %H:%M").to_string()),
            status: AnyStatus::Inspection(i.status).label_zh().to_owned(),
            editable: i.status == InspectionStatus::InProgress,
        }
    }

    /// The home screen of the signed-in officer.
    pub fn home(&self) -> AppResult<Home> {
        let officer = self.officer()?.clone();
        let today = self.today();
        let month = chrono::Datelike::month(&today);
        // Outstanding plan tasks of the unit: this month's and earlier months' not yet
        // inspected (an inspection started from the task links it), mine first.
        let mut tasks = Vec::new();
        if let Some(org) = &officer.org_id {
            let plans: Vec<zhifa_core::plan::Plan> = self.replica.list()?;
            let year = chrono::Datelike::year(&today);
            let started: std::collections::HashSet<String> =
                self.replica.list::<Inspection>()?.iter().filter_map(|i| i.task.map(|t| t.to_string())).collect();
            for p in plans.iter().filter(|p| p.year == year && p.org.to_string() == *org) {
                let ts: Vec<PlanTask> = self.replica.list_by("plan", &p.id.to_string())?;
                for t in ts.into_iter().filter(|t| t.month <= month && !started.contains(&t.id.to_string())) {
                    let mine = t.officers.iter().any(|o| o.to_string() == officer.id);
                    tasks.push(TaskView {
                        id: t.id.to_string(),
                        enterprise_id: t.enterprise.to_string(),
                        enterprise_name: self.enterprise_name(&t.enterprise.to_string()),
                        kind: match t.kind {
                            TaskKind::Key => "重点检查".into(),
                            TaskKind::Random => "双随机抽查".into(),
                        },
                        month: t.month,
                        mine,
                    });
                }
            }
        }
        tasks.sort_by(|a, b| {
            b.mine.cmp(&a.mine).then(a.month.cmp(&b.month)).then(a.enterprise_name.cmp(&b.enterprise_name))
        });
        tasks.truncate(50);
        let horizon = (today + chrono::Days::new(7)).to_string();
        let hazards_due = self
            .replica
            .hazards_due_by(&horizon)?
            .iter()
            .filter(|h| matches!(h.status, HazardStatus::Open | HazardStatus::ReviewRequested))
            .map(|h| self.hazard_view(h))
            .collect();
        let inspections: Vec<Inspection> = self.replica.list_by("status", "in_progress")?;
        let open_inspections = inspections
            .iter()
            .filter(|i| i.officers.iter().any(|o| o.to_string() == officer.id))
            .map(|i| self.inspection_summary(i))
            .collect();
        Ok(Home {
            officer,
            today: zhifa_docgen::zh_date(today),
            tasks,
            open_inspections,
            unsynced: self.replica.pending_change_count()?,
            last_sync: self.replica.meta("app_last_sync")?,
            hazards_due,
            enterprises: self.replica.count::<Enterprise>()?,
        })
    }

    /// Enterprise search by name, credit code or address (any part; one character works),
    /// and by the 拼音首字母 of the name (`lldz` finds 吕梁东中…): Latin letters are tried as
    /// initials first, then as text.
    pub fn search_enterprises(&mut self, q: &str) -> AppResult<Vec<EnterpriseHit>> {
        self.officer()?;
        let q = q.trim();
        if q.chars().count() > 100 {
            return Err(AppError::rule("QUERY_TOO_LONG", "搜索内容过长（最多100个字）"));
        }
        let mut hits = Vec::new();
        if (2..=12).contains(&q.len()) && q.chars().all(|c| c.is_ascii_alphabetic()) {
            let needle = q.to_ascii_lowercase();
            let index = self.initials_index()?;
            let starts = index.iter().filter(|(i, _)| i.starts_with(&needle));
            let inside = index.iter().filter(|(i, _)| !i.starts_with(&needle) && i.contains(&needle));
            hits.extend(starts.chain(inside).take(50).map(|(_, h)| h.clone()));
        }
        if hits.len() < 50 {
            for h in self.replica.search_enterprises(q, 50)? {
                if hits.len() < 50 && !hits.iter().any(|x| x.id == h.id) {
                    hits.push(h);
                }
            }
        }
        Ok(hits)
    }

    /// Initials of every enterprise name, built at login, after each sync, or on first use.
    fn initials_index(&mut self) -> AppResult<&[(String, EnterpriseHit)]> {
        if self.initials.is_none() {
            use pinyin::ToPinyin;
            let all: Vec<Enterprise> = self.replica.list()?;
            let index = all
                .into_iter()
                .map(|e| {
                    let initials: String = e
                        .data
                        .name
                        .chars()
                        .filter_map(|c| match c.to_pinyin() {
                            Some(p) => p.first_letter().chars().next(),
                            None => c.is_ascii_alphanumeric().then(|| c.to_ascii_lowercase()),
                        })
                        .collect();
                    let hit = EnterpriseHit {
                        id: e.id.to_string(),
                        name: e.data.name,
                        credit_code: e.data.credit_code.to_string(),
                        county_code: e.data.county_code,
                        address: e.data.address,
                    };
                    (initials, hit)
                })
                .collect();
            self.initials = Some(index);
        }
        Ok(self.initials.as_deref().unwrap_or_default())
    }

    /// Rebuilds the index of initials now (after login and sync), so no search pays for it.
    pub(crate) fn rebuild_search_index(&mut self) -> AppResult<()> {
        self.initials = None;
        self.initials_index().map(|_| ())
    }

    /// 一企一档.
    pub fn enterprise_file(&self, id: &str) -> AppResult<EnterpriseFile> {
        self.officer()?;
        let e: Enterprise =
            self.replica.get(id)?.ok_or_else(|| AppError::rule("NOT_FOUND", "未找到该企业（可能尚未同步）"))?;
        let d = &e.data;
        let area = zhifa_core::division::Area::luliang();
        let county =
            area.county(&d.county_code).map(|c| c.division.name.clone()).unwrap_or_else(|| d.county_code.clone());
        let opt = |v: Option<String>| v.unwrap_or_else(|| "—".into());
        let fields = vec![
            Field { label: "统一社会信用代码".into(), value: d.credit_code.to_string() },
            Field { label: "所属区县".into(), value: county },
            Field { label: "生产经营地址".into(), value: d.address.clone() },
            Field { label: "法定代表人".into(), value: d.legal_rep.clone() },
            Field { label: "主要负责人".into(), value: d.principal.clone() },
            Field { label: "联系电话".into(), value: d.phone.clone() },
            Field { label: "国民经济行业分类".into(), value: d.industry_code.as_str().to_owned() },
            Field { label: "监管行业".into(), value: d.supervision_category.label().into() },
            Field { label: "经营状态".into(), value: d.status.label().into() },
            Field { label: "风险等级".into(), value: opt(d.risk_level.clone()) },
            Field { label: "安全生产许可证号".into(), value: opt(d.licence_no.clone()) },
            Field { label: "从业人员数".into(), value: opt(d.employees.map(|n| n.to_string())) },
        ];
        let mut inspections: Vec<Inspection> = self.replica.list_by("enterprise", id)?;
        inspections.sort_by_key(|i| std::cmp::Reverse(i.started_at));
        let hazards: Vec<Hazard> = self.replica.list_by("enterprise", id)?;
        let mut documents = Vec::new();
        for i in &inspections {
            let docs: Vec<Document> = self.replica.list_by("inspection", &i.id.to_string())?;
            documents.extend(docs.iter().map(|d| DocumentSummary {
                id: d.id.to_string(),
                doc_type: d.doc_type.clone(),
                number: d.number.clone(),
                status: document_status_label(d).into(),
                inspection_id: d.inspection.map(|x| x.to_string()),
            }));
        }
        Ok(EnterpriseFile {
            id: id.to_owned(),
            name: d.name.clone(),
            fields,
            tags: d.tags.clone(),
            inspections: inspections.iter().map(|i| self.inspection_summary(i)).collect(),
            open_hazards: hazards
                .iter()
                .filter(|h| !matches!(h.status, HazardStatus::Rectified | HazardStatus::Escalated))
                .map(|h| self.hazard_view(h))
                .collect(),
            documents,
        })
    }

    /// Every hazard on the tablet that is not closed, soonest deadline first.
    pub fn hazards(&self) -> AppResult<Vec<HazardView>> {
        self.officer()?;
        let all: Vec<Hazard> = self.replica.list()?;
        let mut v: Vec<HazardView> = all
            .iter()
            .filter(|h| !matches!(h.status, HazardStatus::Rectified | HazardStatus::Escalated))
            .map(|h| self.hazard_view(h))
            .collect();
        v.sort_by(|a, b| a.deadline.is_none().cmp(&b.deadline.is_none()).then(a.deadline.cmp(&b.deadline)));
        Ok(v)
    }

    /// Law library search (offline).
    pub fn search_laws(&self, q: &str) -> AppResult<Vec<LawHit>> {
        self.officer()?;
        Ok(self.replica.search_laws(q.trim(), 50)?)
    }

    /// Check-item search (offline).
    pub fn search_items(&self, q: &str) -> AppResult<Vec<ItemHit>> {
        self.officer()?;
        Ok(self.replica.search_items(q.trim(), 50)?)
    }
}
