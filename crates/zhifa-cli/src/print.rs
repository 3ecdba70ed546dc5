//! `zhifa print`: build the ESC/POS job of a document (zhifa-docgen model → zhifa-escpos job) and
//! write it to a file or send it to a printer over TCP or a serial/Bluetooth port.
//!
//! - `--profile 80mm|58mm`: a receipt slip (现场检查记录, 责令限期整改指令书); text mode
//!   (GB18030 after `FS &`) or `--mode raster` (every line as an image).
//! - `--profile a4`: the PDF's pages rendered at 203 dpi (typst-render), thresholded to 1 bit and
//!   centred on the 1728-dot line of a 216 mm thermal printer, sent as `GS v 0` bands. Every
//!   renderable type prints this way.
//!
//! Exit codes: 0 ok, 2 unknown type, a type without a slip layout (`PRINT_A4_ONLY`), missing
//! font, unreachable printer.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Result;
use clap::{Args, ValueEnum};
use zhifa_docgen::model::DocumentModel;
use zhifa_docgen::{DocgenError, FontConfig, Renderer, sample};
use zhifa_escpos::{
    FontRasterizer, NoRasterizer, PrintError, Profile, Rasterizer, SerialTransport, Slip, TcpTransport, Transport,
};

/// Baud rate of the serial link (the usual cap of Bluetooth SPP printer modules).
pub(crate) const SERIAL_BAUD: u32 = 115_200;

/// Paper of the target printer.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Paper {
    /// 80 毫米小票（576 点）
    #[value(name = "80mm")]
    Mm80,
    /// 58 毫米小票（384 点）
    #[value(name = "58mm")]
    Mm58,
    /// A4 热敏打印机（216 毫米，1728 点，203 dpi），整页图像
    #[value(name = "a4")]
    A4,
}

/// How a slip's text is sent.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub(crate) enum Mode {
    /// 文本模式（GB18030，打印机字库；字库外的字符按行转为图像）
    #[default]
    Text,
    /// 图像模式（每行都以图像发送）
    Raster,
}

/// `zhifa print …`
#[derive(Args, Debug)]
pub(crate) struct PrintArgs {
    /// 文书种类名称，如 责令限期整改指令书
    #[arg(long = "type")]
    doc_type: String,
    /// 使用吕梁演示数据生成示例文书
    #[arg(long)]
    sample: bool,
    /// 示例文书的问题条数（1–12，现场检查记录与责令限期整改指令书）
    #[arg(long, default_value_t = 3)]
    findings: usize,
    /// 打印纸：80mm、58mm 或 a4
    #[arg(long, value_enum, default_value = "80mm")]
    profile: Paper,
    /// 小票的发送方式：text（文本）或 raster（图像）；a4 总是图像
    #[arg(long, value_enum, default_value = "text")]
    mode: Mode,
    /// 把打印数据写入文件（ESC/POS 字节）
    #[arg(long, conflicts_with = "to")]
    out: Option<PathBuf>,
    /// 发送到打印机：tcp://主机:端口 或 serial:/dev/rfcomm0
    #[arg(long)]
    to: Option<String>,
}

/// Errors of the print command: a document or printing error, or a usage error.
#[derive(Debug, thiserror::Error)]
pub(crate) enum PrintCmdError {
    /// Building or rendering the document failed.
    #[error(transparent)]
    Doc(#[from] DocgenError),
    /// Building or sending the job failed.
    #[error(transparent)]
    Print(#[from] PrintError),
    /// Arguments that cannot be used together or are missing.
    #[error("{0}")]
    Usage(String),
    /// The job could not be written to the output file.
    #[error("无法写入 {path}：{cause}")]
    Write {
        /// Output path.
        path: String,
        /// IO error text.
        cause: String,
    },
}

impl PrintCmdError {
    /// Stable code.
    pub(crate) fn code(&self) -> &'static str {
        match self {
            Self::Doc(e) => e.code(),
            Self::Print(e) => e.code(),
            Self::Usage(_) => "PRINT_USAGE",
            Self::Write { .. } => "PRINT_WRITE",
        }
    }
}

/// A finished job and what it is.
#[derive(Debug)]
pub(crate) struct Job {
    /// ESC/POS bytes.
    pub(crate) bytes: Vec<u8>,
    /// Document type and number, for the message.
    pub(crate) title: String,
    /// Pages (A4) or 0 (slip).
    pub(crate) pages: usize,
}

/// Runs `zhifa print`.
pub(crate) fn run(args: PrintArgs) -> Result<ExitCode> {
    match execute(&args) {
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

fn execute(args: &PrintArgs) -> Result<String, PrintCmdError> {
    if args.out.is_none() && args.to.is_none() {
        return Err(PrintCmdError::Usage("请用 --out 文件 或 --to 打印机地址 指定输出".into()));
    }
    if !args.sample {
        // Check the type first so an unknown type reports that, not the missing option.
        sample::by_type(&args.doc_type, 1)?;
        return Err(PrintCmdError::Usage("目前只能打印示例文书：请加 --sample".into()));
    }
    let doc = sample::by_type(&args.doc_type, args.findings)?;
    let job = build_job(&doc, args.profile, args.mode)?;
    let seconds = job.bytes.len() as f64 * 10.0 / f64::from(SERIAL_BAUD);
    let what = if job.pages > 0 { format!("A4 图像 {} 页", job.pages) } else { "小票".to_owned() };
    match (&args.out, &args.to) {
        (Some(path), _) => {
            write_job(path, &job.bytes)?;
            Ok(format!(
                "已生成打印数据 {}（{what}）：{}（{} 字节，115200 波特约 {seconds:.1} 秒）",
                job.title,
                path.display(),
                job.bytes.len()
            ))
        }
        (None, Some(target)) => {
            send(target, &job.bytes)?;
            Ok(format!("已发送 {}（{what}）到 {target}（{} 字节）", job.title, job.bytes.len()))
        }
        (None, None) => unreachable!("checked above"),
    }
}

fn write_job(path: &Path, bytes: &[u8]) -> Result<(), PrintCmdError> {
    std::fs::write(path, bytes)
        .map_err(|e| PrintCmdError::Write { path: path.display().to_string(), cause: e.to_string() })
}

/// Sends a job to `tcp://HOST:PORT` or `serial:/dev/…`.
pub(crate) fn send(target: &str, bytes: &[u8]) -> Result<(), PrintCmdError> {
    let timeout = Duration::from_secs(10);
    let mut transport: Box<dyn Transport> = if let Some(addr) = target.strip_prefix("tcp://") {
        Box::new(TcpTransport::connect(addr, timeout)?)
    } else if let Some(dev) = target.strip_prefix("serial:") {
        Box::new(SerialTransport::open(dev, SERIAL_BAUD, timeout)?)
    } else {
        return Err(PrintCmdError::Usage(format!(
            "无法识别的打印机地址“{target}”：请写成 tcp://主机:端口 或 serial:/dev/rfcomm0"
        )));
    };
    Ok(transport.send(bytes)?)
}

/// Builds the job of a document for a paper and mode.
pub(crate) fn build_job(doc: &DocumentModel, paper: Paper, mode: Mode) -> Result<Job, PrintCmdError> {
    let title = format!("{} {}", doc.type_name(), doc.number()).trim_end().to_owned();
    let profile = match paper {
        Paper::A4 => return a4_job(doc, title),
        Paper::Mm80 => Profile::mm80(),
        Paper::Mm58 => Profile::mm58(),
    };
    let slip = slip(doc)?;
    // The font is needed only for lines the printer cannot draw (or for raster mode).
    let font = FontRasterizer::system();
    let rasterizer: &dyn Rasterizer = match (&font, mode) {
        (Ok(f), _) => f,
        (Err(_), Mode::Text) => &NoRasterizer,
        (Err(e), Mode::Raster) => return Err(PrintError::FontNotFound { tried: e.to_string() }.into()),
    };
    let bytes = match mode {
        Mode::Text => zhifa_escpos::encode(&slip, &profile, rasterizer)?,
        Mode::Raster => zhifa_escpos::encode_all_raster(&slip, &profile, rasterizer)?,
    };
    Ok(Job { bytes, title, pages: 0 })
}

fn a4_job(doc: &DocumentModel, title: String) -> Result<Job, PrintCmdError> {
    let renderer = Renderer::new(&FontConfig::from_env())?;
    let (bytes, pages) = zhifa_app::printing::a4_job(&renderer, doc).map_err(|e| match e {
        zhifa_app::AppError::Docgen(d) => PrintCmdError::from(d),
        zhifa_app::AppError::Print(p) => PrintCmdError::from(p),
        other => PrintCmdError::from(PrintError::SendFailed { target: "a4".into(), detail: other.message() }),
    })?;
    Ok(Job { bytes, title, pages })
}

/// The receipt slip of a document (one mapping for the CLI and the app: `zhifa_app::printing`).
pub(crate) fn slip(doc: &DocumentModel) -> Result<Slip, PrintError> {
    zhifa_app::printing::slip_of(doc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slips_exist_for_two_types_and_others_are_a4_only() {
        let order = sample::by_type("责令限期整改指令书", 4).unwrap();
        let job = build_job(&order, Paper::Mm80, Mode::Text).unwrap();
        let text = encoding_rs::GB18030.decode(&job.bytes).0.into_owned();
        let DocumentModel::RectificationOrder(o) = &order else { panic!("kind") };
        // Per-item deadlines from the model, not one date for all.
        assert!(text.contains("2027年1月15日前"), "{text}");
        assert!(text.contains(&o.number));
        assert!(
            job.bytes
                .windows(zhifa_docgen::qr::payload(&order).len())
                .any(|w| w == zhifa_docgen::qr::payload(&order).as_bytes())
        );
        let record = sample::by_type("现场检查记录", 3).unwrap();
        assert!(build_job(&record, Paper::Mm58, Mode::Text).is_ok());

        let decision = sample::by_type("行政处罚决定书（单位）", 1).unwrap();
        let e = build_job(&decision, Paper::Mm80, Mode::Text).unwrap_err();
        assert_eq!(e.code(), "PRINT_A4_ONLY");
        assert!(e.to_string().contains("只能以 A4 幅面打印"), "{e}");
    }

    #[test]
    fn usage_errors_have_codes() {
        let args = |to: Option<&str>, sample: bool, doc_type: &str| PrintArgs {
            doc_type: doc_type.into(),
            sample,
            findings: 3,
            profile: Paper::Mm80,
            mode: Mode::Text,
            out: None,
            to: to.map(str::to_owned),
        };
        assert_eq!(execute(&args(None, true, "现场检查记录")).unwrap_err().code(), "PRINT_USAGE");
        assert_eq!(execute(&args(Some("lpt1"), true, "现场检查记录")).unwrap_err().code(), "PRINT_USAGE");
        assert_eq!(execute(&args(Some("tcp://x:1"), true, "不存在的文书")).unwrap_err().code(), "DOC_UNKNOWN_TYPE");
        assert_eq!(execute(&args(Some("tcp://x:1"), false, "现场检查记录")).unwrap_err().code(), "PRINT_USAGE");
        let e = execute(&args(Some("serial:/dev/zhifa-no-such-port"), true, "现场检查记录")).unwrap_err();
        assert_eq!(e.code(), "PRINT_NOT_CONNECTED");
    }

    #[test]
    fn writes_a_job_file() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("order.bin");
        let args = PrintArgs {
            doc_type: "责令限期整改指令书".into(),
            sample: true,
            findings: 3,
            profile: Paper::Mm58,
            mode: Mode::Text,
            out: Some(out.clone()),
            to: None,
        };
        let msg = execute(&args).unwrap();
        assert!(msg.contains("已生成打印数据") && msg.contains("应急责改"), "{msg}");
        let bytes = std::fs::read(&out).unwrap();
        assert!(bytes.starts_with(&[0x1B, 0x40]) && bytes.ends_with(&[0x1D, 0x56, 0x42, 0x00]));
    }
}
