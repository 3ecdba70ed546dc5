//! On site: inspections, checklist answers, hazards and evidence (photos, signatures).
//!
//! Every change is saved at once through the replica's writer (autosave): killing the app
//! between two taps loses nothing.

use std::io::Write;

use serde::Serialize;
use zhifa_core::checklist::CheckItem;
use zhifa_core::enterprise::Enterprise;
use zhifa_core::evidence::{ContentHash, Evidence, EvidenceKind};
use zhifa_core::hazard::Hazard;
use zhifa_core::ids::{EvidenceId, HazardId, InspectionId, OfficerId, OrgId, TaskId};
use zhifa_core::industry::SupervisionCategory;
use zhifa_core::inspection::{Answer, AnswerResult, Inspection};
use zhifa_core::officer::Officer;
use zhifa_core::workflow::{HazardStatus, InspectionEvent, InspectionStatus, transition};
use zhifa_store::EvidenceFile;

use crate::{App, AppError, AppResult, local_datetime};

/// Largest photo accepted (bytes).
pub const MAX_PHOTO_BYTES: usize = 20 * 1024 * 1024;
/// Longest finding or note (characters).
pub const MAX_NOTE_CHARS: usize = 2000;
/// Default rectification period when the inspector sets none (days).
pub const DEFAULT_RECTIFY_DAYS: u64 = 30;

/// A checklist module the inspector can pick.
#[derive(Debug, Clone, Serialize)]
pub struct ModuleOption {
    /// 冶金工贸 / 危险化学品 / 非煤矿山 / 通用.
    pub industry: String,
    /// Module name (unique), e.g. 粉尘涉爆.
    pub module: String,
    /// Items in it.
    pub items: usize,
    /// Pre-selected for this enterprise (its category and 专项标签).
    pub suggested: bool,
}

/// A colleague who can be the second 执法人员.
#[derive(Debug, Clone, Serialize)]
pub struct Colleague {
    /// Officer id.
    pub id: String,
    /// Name.
    pub name: String,
    /// 执法证号.
    pub cert_no: String,
}

/// A penalty basis as shown next to a non-conforming item.
#[derive(Debug, Clone, Serialize)]
pub struct PenaltyView {
    /// Law.
    pub law: String,
    /// Article.
    pub article: String,
    /// Penalty and fine range.
    pub range: String,
    /// Whether the mapping is verified (otherwise shown as 待核实).
    pub verified: bool,
}

/// A checklist item with its answer.
#[derive(Debug, Clone, Serialize)]
pub struct ItemView {
    /// Item id.
    pub id: String,
    /// Module.
    pub module: String,
    /// Category.
    pub category: String,
    /// Item.
    pub item: String,
    /// 检查内容.
    pub check_content: String,
    /// 检查方法.
    pub check_method: String,
    /// 检查依据.
    pub check_basis: Vec<String>,
    /// 处罚依据.
    pub penalties: Vec<PenaltyView>,
    /// Suggested on-site measure.
    pub onsite_measure: String,
    /// 重大事故隐患 item.
    pub major_hazard: bool,
    /// Wording or mapping not verified (待核实).
    pub unverified: bool,
    /// Answer: `conforming`, `non_conforming`, `not_applicable` or none.
    pub result: Option<AnswerResult>,
    /// Finding / note.
    pub note: String,
    /// Hazard recorded for a non-conforming answer.
    pub hazard_id: Option<String>,
    /// Photos attached to that hazard.
    pub photos: usize,
}

/// An inspection with its checklist.
#[derive(Debug, Clone, Serialize)]
pub struct InspectionView {
    /// Id.
    pub id: String,
    /// Enterprise id.
    pub enterprise_id: String,
    /// Enterprise name.
    pub enterprise_name: String,
    /// Place.
    pub place: String,
    /// Status label.
    pub status: String,
    /// Answers can be changed.
    pub editable: bool,
    /// Modules.
    pub modules: Vec<String>,
    /// The two officers' names.
    pub officers: Vec<String>,
    /// Items.
    pub items: Vec<ItemView>,
    /// Answered items.
    pub answered: usize,
    /// Non-conforming items.
    pub non_conforming: usize,
    /// Photos of the inspection.
    pub photos: usize,
}

/// Stored evidence as the UI lists it.
#[derive(Debug, Clone, Serialize)]
pub struct EvidenceView {
    /// Evidence id.
    pub id: String,
    /// SHA-256.
    pub sha256: String,
    /// Size.
    pub size: u64,
    /// Captured (local time).
    pub captured_at: String,
    /// Position, if known (`lat, lng`).
    pub position: Option<String>,
}

/// The checklist's industry for a supervision category.
pub fn checklist_industry(c: SupervisionCategory) -> &'static str {
    match c {
        SupervisionCategory::HazardousChemicals => "危险化学品",
        SupervisionCategory::NonCoalMine => "非煤矿山",
        _ => "冶金工贸",
    }
}

fn category_module(c: SupervisionCategory) -> Option<&'static str> {
    match c {
        SupervisionCategory::Metallurgy => Some("钢铁/冶金"),
        SupervisionCategory::NonFerrous => Some("有色/铝加工"),
        SupervisionCategory::BuildingMaterials => Some("建材"),
        SupervisionCategory::Machinery => Some("机械"),
        _ => None,
    }
}

/// The kind of an image from its first bytes, or `None` when it is not a photo.
pub fn image_kind(bytes: &[u8]) -> Option<(&'static str, &'static str)> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(("image/jpeg", "jpg"))
    } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some(("image/png", "png"))
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some(("image/webp", "webp"))
    } else if bytes.len() >= 12 && &bytes[4..8] == b"ftyp" && matches!(&bytes[8..12], b"heic" | b"heix" | b"mif1") {
        Some(("image/heic", "heic"))
    } else {
        None
    }
}

fn parse_id<T: std::str::FromStr>(s: &str, what: &str) -> AppResult<T> {
    s.parse().map_err(|_| AppError::rule("ID_INVALID", format!("{what}编号无效")))
}

fn not_found(what: &str) -> AppError {
    AppError::rule("NOT_FOUND", format!("未找到{what}"))
}

impl App {
    pub(crate) fn inspection(&self, id: &str) -> AppResult<Inspection> {
        self.replica.get(id)?.ok_or_else(|| not_found("该检查"))
    }

    fn editable_inspection(&self, id: &str) -> AppResult<Inspection> {
        let i = self.inspection(id)?;
        if i.status != InspectionStatus::InProgress {
            return Err(AppError::rule("INSPECTION_CLOSED", "该检查已完成，不能再修改检查结果"));
        }
        Ok(i)
    }

    /// Officers of the signed-in officer's unit who can be the second 执法人员.
    pub fn colleagues(&self) -> AppResult<Vec<Colleague>> {
        let me = self.officer()?;
        let Some(org) = me.org_id.clone() else { return Ok(Vec::new()) };
        let all: Vec<Officer> = self.replica.list_by("org", &org)?;
        Ok(all
            .into_iter()
            .filter(|o| o.active && o.id.to_string() != me.id)
            .map(|o| Colleague { id: o.id.to_string(), name: o.name, cert_no: o.cert_no })
            .collect())
    }

    /// Modules for an enterprise: its checklist industry and 通用, with suggestions.
    pub fn modules_for(&self, enterprise_id: &str) -> AppResult<Vec<ModuleOption>> {
        self.officer()?;
        let e: Enterprise = self.replica.get(enterprise_id)?.ok_or_else(|| not_found("该企业"))?;
        let industry = checklist_industry(e.data.supervision_category);
        let items = self.replica.check_items(Some(industry), None)?;
        let mut out: Vec<ModuleOption> = Vec::new();
        for it in &items {
            match out.iter_mut().find(|m| m.module == it.module) {
                Some(m) => m.items += 1,
                None => out.push(ModuleOption {
                    industry: it.industry.clone(),
                    module: it.module.clone(),
                    items: 1,
                    suggested: false,
                }),
            }
        }
        let cat = category_module(e.data.supervision_category);
        for m in &mut out {
            m.suggested = m.industry == "通用"
                || Some(m.module.as_str()) == cat
                || m.module == "通用(工贸)" && industry == "冶金工贸"
                || e.data.tags.iter().any(|t| m.module.contains(t.as_str()) || t.contains(m.module.as_str()))
                || (industry != "冶金工贸" && m.industry == industry && m.items >= 4);
        }
        Ok(out)
    }

    /// Starts an inspection of an enterprise with a colleague and the chosen modules.
    pub fn start_inspection(
        &mut self,
        enterprise_id: &str,
        colleague_id: &str,
        modules: &[String],
        task_id: Option<&str>,
    ) -> AppResult<InspectionView> {
        let me = self.officer()?.clone();
        let org = me
            .org_id
            .clone()
            .ok_or_else(|| AppError::rule("NEEDS_SYNC", "本设备还没有您所在单位的数据，请先联网同步一次"))?;
        let e: Enterprise = self.replica.get(enterprise_id)?.ok_or_else(|| not_found("该企业"))?;
        let colleague: Officer = self
            .replica
            .get(colleague_id)?
            .filter(|o: &Officer| o.active && o.org.to_string() == org && o.id.to_string() != me.id)
            .ok_or_else(|| {
                AppError::rule("COLLEAGUE_INVALID", "请选择本单位的另一名执法人员（执法人员不得少于两人）")
            })?;
        let known = self.modules_for(enterprise_id)?;
        if modules.is_empty() {
            return Err(AppError::rule("MODULES_EMPTY", "请至少选择一个检查模块"));
        }
        if let Some(m) = modules.iter().find(|m| !known.iter().any(|k| &k.module == *m)) {
            return Err(AppError::rule("MODULE_UNKNOWN", format!("该企业的检查事项清单中没有模块“{m}”")));
        }
        let org_id: OrgId = parse_id(&org, "单位")?;
        let me_id: OfficerId = parse_id(&me.id, "执法人员")?;
        let task: Option<TaskId> = task_id.map(|t| parse_id(t, "任务")).transpose()?;
        let now = local_datetime(self.now_ms());
        let id = self.replica.write(|w| {
            let id: InspectionId = w.new_id();
            let status = transition(InspectionStatus::Planned, &InspectionEvent::Start)
                .map_err(|e| AppError::rule("WORKFLOW", e.to_string()))?;
            w.put(&Inspection {
                id,
                task,
                enterprise: e.id,
                org: org_id,
                officers: vec![me_id, colleague.id],
                place: e.data.address.clone(),
                started_at: Some(now),
                ended_at: None,
                status,
                modules: modules.to_vec(),
            })?;
            Ok::<_, AppError>(id)
        })?;
        self.inspection_view(&id.to_string())
    }

    /// The inspection with its checklist and answers.
    pub fn inspection_view(&self, id: &str) -> AppResult<InspectionView> {
        self.officer()?;
        let i = self.inspection(id)?;
        let answers: Vec<Answer> = self.replica.list_by("inspection", id)?;
        let hazards: Vec<Hazard> = self.replica.list_by("inspection", id)?;
        let evidence: Vec<Evidence> = self.replica.list_by("inspection", id)?;
        let photos = |h: Option<&Hazard>| {
            evidence
                .iter()
                .filter(|e| e.kind == EvidenceKind::Photo && !e.withdrawn)
                .filter(|e| h.is_none_or(|h| e.hazard == Some(h.id)))
                .count()
        };
        let mut items = Vec::new();
        for m in &i.modules {
            for it in self.replica.check_items(None, Some(m))? {
                let a = answers.iter().find(|a| a.item == it.id);
                let h = hazards.iter().find(|h| h.item.as_deref() == Some(it.id.as_str()));
                items.push(item_view(&it, a, h, h.map_or(0, |h| photos(Some(h)))));
            }
        }
        let names = i
            .officers
            .iter()
            .map(|o| {
                self.replica
                    .get::<Officer>(&o.to_string())
                    .ok()
                    .flatten()
                    .map(|o| o.name)
                    .unwrap_or_else(|| o.to_string())
            })
            .collect();
        Ok(InspectionView {
            id: id.to_owned(),
            enterprise_id: i.enterprise.to_string(),
            enterprise_name: self.enterprise_name(&i.enterprise.to_string()),
            place: i.place.clone(),
            status: zhifa_core::workflow::AnyStatus::Inspection(i.status).label_zh().to_owned(),
            editable: i.status == InspectionStatus::InProgress,
            modules: i.modules.clone(),
            officers: names,
            answered: items.iter().filter(|x| x.result.is_some()).count(),
            non_conforming: items.iter().filter(|x| x.result == Some(AnswerResult::NonConforming)).count(),
            photos: photos(None),
            items,
        })
    }

    /// Records an answer (autosaved). A non-conforming answer records a hazard with the
    /// finding; changing it back withdraws that hazard (a tombstone, still traceable).
    pub fn answer(&mut self, inspection_id: &str, item_id: &str, result: &str, note: &str) -> AppResult<ItemView> {
        self.officer()?;
        let i = self.editable_inspection(inspection_id)?;
        let result = AnswerResult::parse(result)
            .ok_or_else(|| AppError::rule("ANSWER_INVALID", "检查结果只能是符合、不符合或不涉及"))?;
        let note = note.trim();
        if note.chars().count() > MAX_NOTE_CHARS {
            return Err(AppError::rule("NOTE_TOO_LONG", format!("检查情况最多{MAX_NOTE_CHARS}字")));
        }
        if note.chars().any(|c| c.is_control() && c != '\n') {
            return Err(AppError::rule("NOTE_INVALID", "检查情况含有无法打印的控制字符"));
        }
        let item = self.replica.check_item(item_id)?.ok_or_else(|| not_found("该检查事项"))?;
        if !i.modules.contains(&item.module) {
            return Err(AppError::rule("ITEM_NOT_IN_INSPECTION", "该检查事项不在本次检查的模块中"));
        }
        let hazards: Vec<Hazard> = self.replica.list_by("inspection", inspection_id)?;
        let existing = hazards.into_iter().find(|h| h.item.as_deref() == Some(item_id));
        self.replica.write(|w| {
            w.put(&Answer { inspection: i.id, item: item.id.clone(), result, note: note.to_owned() })?;
            match (result, existing) {
                (AnswerResult::NonConforming, existing) => {
                    let description = if note.is_empty() {
                        format!("{}：{}", item.item, item.check_content)
                    } else {
                        note.to_owned()
                    };
                    let h = match existing {
                        Some(mut h) => {
                            h.description = description;
                            h
                        }
                        None => Hazard {
                            id: w.new_id::<HazardId>(),
                            inspection: i.id,
                            enterprise: i.enterprise,
                            item: Some(item.id.clone()),
                            description,
                            major: item.major_hazard,
                            deadline: None,
                            status: HazardStatus::Open,
                            review_requested_on: None,
                            reviewed_on: None,
                        },
                    };
                    w.put(&h)?;
                }
                (_, Some(h)) => {
                    w.delete::<Hazard>(&h.id.to_string())?;
                }
                (_, None) => {}
            }
            Ok::<_, AppError>(())
        })?;
        // Only this item, not the whole checklist: this runs on every tap.
        let answer: Option<Answer> = self.replica.get(&format!("{}:{}", i.id, item.id))?;
        let hazards: Vec<Hazard> = self.replica.list_by("inspection", inspection_id)?;
        let hazard = hazards.into_iter().find(|h| h.item.as_deref() == Some(item_id));
        let photos = match &hazard {
            Some(h) => {
                let evidence: Vec<Evidence> = self.replica.list_by("inspection", inspection_id)?;
                evidence
                    .iter()
                    .filter(|e| e.kind == EvidenceKind::Photo && !e.withdrawn && e.hazard == Some(h.id))
                    .count()
            }
            None => 0,
        };
        Ok(item_view(&item, answer.as_ref(), hazard.as_ref(), photos))
    }

    /// Marks or unmarks a hazard as 重大事故隐患 and sets its rectification period.
    pub fn update_hazard(&mut self, hazard_id: &str, major: bool, rectify_days: Option<u32>) -> AppResult<()> {
        self.officer()?;
        let mut h: Hazard = self.replica.get(hazard_id)?.ok_or_else(|| not_found("该隐患"))?;
        self.editable_inspection(&h.inspection.to_string())?;
        if let Some(d) = rectify_days {
            if !(1..=365).contains(&d) {
                return Err(AppError::rule("DEADLINE_INVALID", "整改期限应为1至365天"));
            }
            h.deadline = Some(self.today() + chrono::Days::new(u64::from(d)));
        }
        h.major = major;
        self.replica.write(|w| w.put(&h).map(|_| ()))?;
        Ok(())
    }

    /// Records the 复查 result of a hazard (rectified or not) on today's date. Only hazards of
    /// an issued 责令限期整改指令书 (they carry a deadline) can be reviewed.
    pub fn review_hazard(&mut self, hazard_id: &str, passed: bool) -> AppResult<crate::browse::HazardView> {
        self.officer()?;
        let mut h: Hazard = self.replica.get(hazard_id)?.ok_or_else(|| not_found("该隐患"))?;
        if h.deadline.is_none() {
            return Err(AppError::rule("NO_ORDER", "该隐患尚未下达整改指令，不能复查"));
        }
        let today = self.today();
        h.status = transition(h.status, &zhifa_core::workflow::HazardEvent::Review { passed, date: today })
            .map_err(|e| AppError::rule("WORKFLOW", e.to_string()))?;
        h.reviewed_on = Some(today);
        self.replica.write(|w| w.put(&h).map(|_| ()))?;
        Ok(self.hazard_view(&h))
    }

    /// Finishes the on-site part; the 现场检查记录 can then be issued.
    pub fn finish_inspection(&mut self, id: &str) -> AppResult<InspectionView> {
        self.officer()?;
        let mut i = self.editable_inspection(id)?;
        let answers: Vec<Answer> = self.replica.list_by("inspection", id)?;
        if answers.is_empty() {
            return Err(AppError::rule("NO_ANSWERS", "还没有任何检查结果，不能结束检查"));
        }
        i.status =
            transition(i.status, &InspectionEvent::Complete).map_err(|e| AppError::rule("WORKFLOW", e.to_string()))?;
        i.ended_at = Some(local_datetime(self.now_ms()));
        self.replica.write(|w| w.put(&i).map(|_| ()))?;
        self.inspection_view(id)
    }

    fn store_file(&mut self, bytes: &[u8], mime: &str, ext: &str) -> AppResult<ContentHash> {
        let hash = ContentHash::of(bytes);
        let rel = format!("evidence/{}.{ext}", hash.as_str());
        let path = self.config.data_dir.join(&rel);
        if !path.exists() {
            let dir = self.config.data_dir.join("evidence");
            std::fs::create_dir_all(&dir).map_err(|e| AppError::io(&dir, e))?;
            let tmp = path.with_extension("part");
            let write = || -> std::io::Result<()> {
                let mut f = std::fs::File::create(&tmp)?;
                f.write_all(bytes)?;
                f.sync_all()?;
                std::fs::rename(&tmp, &path)
            };
            if let Err(e) = write() {
                let _ = std::fs::remove_file(&tmp);
                return Err(AppError::io(&path, e));
            }
        }
        let file = EvidenceFile {
            sha256: hash.as_str().to_owned(),
            path: rel,
            size: bytes.len() as u64,
            mime: mime.to_owned(),
            uploaded: false,
        };
        self.replica.add_evidence_file(&file, self.now_ms())?;
        Ok(hash)
    }

    /// Attaches a photo to an inspection (and a hazard), stamped with time, position and
    /// officer and addressed by its SHA-256.
    pub fn add_photo(
        &mut self,
        inspection_id: &str,
        hazard_id: Option<&str>,
        bytes: &[u8],
        position: Option<(f64, f64)>,
    ) -> AppResult<EvidenceView> {
        self.officer()?;
        let i = self.inspection(inspection_id)?;
        if bytes.is_empty() {
            return Err(AppError::rule("PHOTO_EMPTY", "照片文件为空"));
        }
        if bytes.len() > MAX_PHOTO_BYTES {
            return Err(AppError::rule(
                "PHOTO_TOO_LARGE",
                format!("照片过大（{:.1} MB），单张照片不能超过20 MB", bytes.len() as f64 / 1_048_576.0),
            ));
        }
        let (mime, ext) = image_kind(bytes)
            .ok_or_else(|| AppError::rule("NOT_AN_IMAGE", "所选文件不是照片（支持JPEG、PNG、HEIC、WebP格式）"))?;
        if let Some((lat, lng)) = position
            && !(lat.is_finite() && lng.is_finite() && (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lng))
        {
            return Err(AppError::rule("POSITION_INVALID", "定位坐标无效"));
        }
        let hazard: Option<Hazard> = match hazard_id {
            Some(h) => Some(self.replica.get(h)?.ok_or_else(|| not_found("该隐患"))?),
            None => None,
        };
        self.record_evidence(i.id, EvidenceKind::Photo, bytes, (mime, ext), position, hazard.map(|h| h.id))
    }

    /// Stores an on-screen signature (PNG) as evidence of the inspection.
    pub fn add_signature(&mut self, inspection_id: &str, png: &[u8]) -> AppResult<EvidenceView> {
        self.officer()?;
        let i = self.inspection(inspection_id)?;
        if image_kind(png).map(|k| k.0) != Some("image/png") || png.len() > 2 * 1024 * 1024 {
            return Err(AppError::rule("SIGNATURE_INVALID", "签名图像无效"));
        }
        self.record_evidence(i.id, EvidenceKind::Signature, png, ("image/png", "png"), None, None)
    }

    /// Stores the file, then the evidence record stamped with now and the signed-in officer.
    fn record_evidence(
        &mut self,
        inspection: InspectionId,
        kind: EvidenceKind,
        bytes: &[u8],
        (mime, ext): (&str, &str),
        position: Option<(f64, f64)>,
        hazard: Option<HazardId>,
    ) -> AppResult<EvidenceView> {
        let officer: OfficerId = parse_id(&self.officer()?.id, "执法人员")?;
        let sha256 = self.store_file(bytes, mime, ext)?;
        let captured_ms = self.now_ms();
        let ev = self.replica.write(|w| {
            let ev = Evidence {
                id: w.new_id::<EvidenceId>(),
                sha256,
                kind,
                mime: mime.to_owned(),
                size: bytes.len() as u64,
                captured_ms,
                lng: position.map(|p| p.1),
                lat: position.map(|p| p.0),
                officer,
                inspection: Some(inspection),
                hazard,
                withdrawn: false,
            };
            w.put(&ev)?;
            Ok::<_, AppError>(ev)
        })?;
        Ok(evidence_view(&ev))
    }

    /// Photos and signatures of an inspection.
    pub fn evidence_of(&self, inspection_id: &str) -> AppResult<Vec<EvidenceView>> {
        self.officer()?;
        let all: Vec<Evidence> = self.replica.list_by("inspection", inspection_id)?;
        Ok(all.iter().filter(|e| !e.withdrawn).map(evidence_view).collect())
    }
}

fn evidence_view(e: &Evidence) -> EvidenceView {
    EvidenceView {
        id: e.id.to_string(),
        sha256: e.sha256.as_str().to_owned(),
        size: e.size,
        captured_at: local_datetime(e.captured_ms).format("%Y-%m-%d %H:%M:%S").to_string(),
        position: match (e.lat, e.lng) {
            (Some(a), Some(b)) => Some(format!("{a:.5}, {b:.5}")),
            _ => None,
        },
    }
}

fn item_view(it: &CheckItem, a: Option<&Answer>, h: Option<&Hazard>, photos: usize) -> ItemView {
    ItemView {
        id: it.id.clone(),
        module: it.module.clone(),
        category: it.category.clone(),
        item: it.item.clone(),
        check_content: it.check_content.clone(),
        check_method: it.check_method.clone(),
        check_basis: it.check_basis.clone(),
        penalties: it
            .penalty_basis
            .iter()
            .map(|p| PenaltyView {
                law: p.law.clone(),
                article: p.article.clone(),
                range: p.penalty_range.clone(),
                verified: p.verified,
            })
            .collect(),
        onsite_measure: it.onsite_measure.clone(),
        major_hazard: it.major_hazard,
        unverified: it.unverified(),
        result: a.map(|a| a.result),
        note: a.map(|a| a.note.clone()).unwrap_or_default(),
        hazard_id: h.map(|h| h.id.to_string()),
        photos,
    }
}
