//! `zhifa doc`: list the 执法文书 types and render documents to PDF (zhifa-docgen).
//!
//! Exit codes: 0 ok, 2 unknown or not-yet-renderable type, bad input, missing font.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Subcommand;
use zhifa_docgen::{DocgenError, DocumentModel, FontConfig, Renderer, sample};

/// `zhifa doc …`
#[derive(Subcommand, Debug)]
pub(crate) enum DocCommand {
    /// 列出全部执法文书种类（编号/不编号），并标明本版本能否生成 PDF
    Types,
    /// 生成文书 PDF（可生成的 12 种见 zhifa doc types）
    Render {
        /// 文书种类名称，如 责令限期整改指令书
        #[arg(long = "type")]
        doc_type: String,
        /// 使用吕梁演示数据生成示例文书
        #[arg(long, conflicts_with_all = ["model", "inspection"])]
        sample: bool,
        /// 检查编号：从平板副本（--db）中取该检查已签发的该种文书（冻结的内容）
        #[arg(long, requires = "db", conflicts_with = "model")]
        inspection: Option<String>,
        /// 平板副本（SQLite 文件）
        #[arg(long)]
        db: Option<PathBuf>,
        /// 文书内容 JSON 文件（DocumentModel，格式同 crates/zhifa-docgen/test_data/*.golden.json）
        #[arg(long)]
        model: Option<PathBuf>,
        /// 示例文书的问题条数（1–12，现场检查记录与责令限期整改指令书）
        #[arg(long, default_value_t = 3)]
        findings: usize,
        /// 输出 PDF 文件
        #[arg(long)]
        out: PathBuf,
    },
}

/// Runs a `doc` subcommand.
pub(crate) fn run(cmd: DocCommand) -> Result<ExitCode> {
    match cmd {
        DocCommand::Types => {
            print!("{}", types_table()?);
            Ok(ExitCode::SUCCESS)
        }
        DocCommand::Render { doc_type, sample, inspection, db, model, findings, out } => {
            let from_db = match (&inspection, &db) {
                (Some(i), Some(d)) => match issued_model(d, i, &doc_type) {
                    Ok(m) => Some(m),
                    Err(e) => {
                        eprintln!("错误[{}]：{e}", e.code());
                        return Ok(ExitCode::from(2));
                    }
                },
                _ => None,
            };
            match render(&doc_type, sample, model.as_deref(), from_db, findings, &out) {
                Ok(msg) => {
                    println!("{msg}");
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => {
                    eprintln!("错误[{}]：{e}", e.code());
                    Ok(ExitCode::from(2))
                }
            }
        }
    }
}

/// The `doc types` listing: one line per type, then a summary line.
fn types_table() -> Result<String> {
    let reference = zhifa_seed::reference()?;
    let mut out = String::from("序号  编号    PDF     文书名称（现行代字）\n");
    let mut renderable = 0;
    for t in &reference.document_types {
        let can = zhifa_docgen::renderable(&t.name);
        renderable += usize::from(can);
        out.push_str(&format!(
            "{:>4}  {}  {}  {}{}\n",
            t.seq_2016,
            if t.numbered { "编号  " } else { "不编号" },
            if can { "可生成" } else { "——    " },
            t.name,
            t.abbr_current.as_deref().map(|a| format!("（{a}）")).unwrap_or_default(),
        ));
    }
    out.push_str(&format!("共 {} 种文书，本版本可生成 PDF：{renderable} 种\n", reference.document_types.len()));
    Ok(out)
}

/// The frozen content of the issued document of `doc_type` of an inspection in a replica.
fn issued_model(db: &Path, inspection: &str, doc_type: &str) -> Result<DocumentModel, DocgenError> {
    let bad = |reason: String| DocgenError::InvalidInput { field: "平板副本", reason };
    let replica = zhifa_store::Replica::open(db).map_err(|e| bad(e.to_string()))?;
    let docs: Vec<zhifa_core::document::Document> =
        replica.list_by("inspection", inspection).map_err(|e| bad(e.to_string()))?;
    let doc = docs
        .iter()
        .filter(|d| d.doc_type == doc_type)
        .find(|d| d.content.is_some())
        .ok_or_else(|| bad(format!("检查 {inspection} 没有已签发的{doc_type}（草稿请在平板上预览）")))?;
    let content = doc.content.as_deref().unwrap_or_default();
    serde_json::from_str(content).map_err(|e| bad(format!("文书内容无法读取：{e}")))
}

fn render(
    doc_type: &str,
    use_sample: bool,
    model: Option<&Path>,
    from_db: Option<DocumentModel>,
    findings: usize,
    out: &Path,
) -> Result<String, DocgenError> {
    let doc = match (from_db, model) {
        (Some(doc), _) => doc,
        (None, model) => match model {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|e| DocgenError::InvalidInput {
                    field: "文书内容文件",
                    reason: format!("{}：{e}", path.display()),
                })?;
                let doc: DocumentModel = serde_json::from_str(&text)
                    .map_err(|e| DocgenError::InvalidInput { field: "文书内容文件", reason: e.to_string() })?;
                if doc.type_name() != doc_type {
                    return Err(DocgenError::InvalidInput {
                        field: "文书种类",
                        reason: format!("文件中是“{}”，不是“{doc_type}”", doc.type_name()),
                    });
                }
                doc
            }
            None if use_sample => sample::by_type(doc_type, findings)?,
            None => {
                // Check the type first so an unknown type reports that, not the missing option.
                sample::by_type(doc_type, 1)?;
                return Err(DocgenError::InvalidInput {
                    field: "文书内容",
                    reason: "请用 --sample、--model 文件或 --inspection 与 --db".into(),
                });
            }
        },
    };
    let renderer = Renderer::new(&FontConfig::from_env())?;
    let pdf = renderer.render(&doc)?;
    std::fs::write(out, &pdf.bytes)
        .with_context(|| out.display().to_string())
        .map_err(|e| DocgenError::Pdf(format!("无法写入 {e:#}")))?;
    Ok(format!(
        "已生成 {} {}：{}（{} 页，{} 字节，PDF/A-2b）",
        doc.type_name(),
        doc.number(),
        out.display(),
        pdf.pages,
        pdf.bytes.len()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_lists_all_53_with_numbering_and_renderability() {
        let t = types_table().unwrap();
        assert_eq!(t.lines().count(), 1 + 53 + 1, "{t}");
        assert!(t.contains("共 53 种文书，本版本可生成 PDF：12 种"), "{t}");
        let line = |name: &str| t.lines().find(|l| l.contains(name)).unwrap().to_owned();
        assert!(line("责令限期整改指令书").contains("编号  ") && line("责令限期整改指令书").contains("可生成"));
        assert!(line("询问笔录").contains("不编号") && line("询问笔录").contains("可生成"));
        assert!(!line("勘验笔录").contains("可生成"));
    }

    #[test]
    fn unknown_and_unrenderable_types_are_refused() {
        let out = std::env::temp_dir().join("zhifa-cli-doc-unused.pdf");
        let e = render("不存在的文书", true, None, None, 3, &out).unwrap_err();
        assert_eq!(e.code(), "DOC_UNKNOWN_TYPE");
        assert!(e.to_string().contains("未知的文书种类"));
        let e = render("勘验笔录", true, None, None, 3, &out).unwrap_err();
        assert_eq!(e.code(), "DOC_NOT_RENDERABLE");
        assert!(e.to_string().contains("暂不支持"));
        assert_eq!(render("现场检查记录", false, None, None, 3, &out).unwrap_err().code(), "DOC_INVALID_INPUT");
        assert!(!out.exists());
    }

    #[test]
    fn renders_a_generic_type_sample() {
        // Every type's sample is rendered and checked in zhifa-docgen's tests/types.rs; here the
        // CLI path once for a type of the generic model.
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("interview.pdf");
        let msg = render("询问笔录", true, None, None, 3, &out).unwrap();
        assert!(msg.contains("询问笔录") && msg.contains("1 页"), "{msg}");
        for name in zhifa_docgen::RENDERABLE_TYPES {
            assert_eq!(sample::by_type(name, 3).unwrap().type_name(), name);
        }
    }

    #[test]
    fn renders_a_sample_order() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("order.pdf");
        let msg = render("责令限期整改指令书", true, None, None, 12, &out).unwrap();
        assert!(msg.contains("2 页"), "{msg}");
        assert!(std::fs::read(&out).unwrap().starts_with(b"%PDF-"));
    }

    #[test]
    fn renders_from_a_model_file_and_checks_its_type() {
        let dir = tempfile::tempdir().unwrap();
        let model = dir.path().join("record.json");
        let doc = sample::inspection_record(2).unwrap();
        std::fs::write(&model, serde_json::to_string(&doc).unwrap()).unwrap();
        let out = dir.path().join("record.pdf");
        let msg = render("现场检查记录", false, Some(&model), None, 3, &out).unwrap();
        assert!(msg.contains("应急检记〔2026〕15号") && msg.contains("1 页"), "{msg}");
        let e = render("责令限期整改指令书", false, Some(&model), None, 3, &out).unwrap_err();
        assert_eq!(e.code(), "DOC_INVALID_INPUT");
        assert!(e.to_string().contains("不是“责令限期整改指令书”"), "{e}");
        std::fs::write(&model, "{}").unwrap();
        assert_eq!(render("现场检查记录", false, Some(&model), None, 3, &out).unwrap_err().code(), "DOC_INVALID_INPUT");
    }
}
