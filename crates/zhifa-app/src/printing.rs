//! Printing issued documents on the configured printer, through the persisted job log.
//!
//! A print never takes a number: the slip is built from the document's frozen content. The
//! first complete print of a document is a print, every later one a reprint (decided by the
//! log). A job interrupted by a printer that is off, out of range or out of paper stays
//! `failed` with the reason and can be resumed; resuming sends the same bytes again.

use serde::{Deserialize, Serialize};
use zhifa_docgen::model::DocumentModel;
use zhifa_escpos::layout::{self, InspectionRecordSlip, RectificationOrderSlip, SlipDate};
use zhifa_escpos::{FontRasterizer, NoRasterizer, PrintError, Profile, Rasterizer, TcpTransport, Transport};
use zhifa_store::{NewPrintJob, PrintJob};

use crate::{App, AppError, AppResult};

/// Opens a Bluetooth SPP link to a printer by its address (`AA:BB:CC:DD:EE:FF`). On Android
/// the Tauri shell installs one backed by its SPP plugin; without one, `bluetooth` printers
/// are refused with a clear message (desktop Linux binds them as `/dev/rfcomm0`: use
/// `serial`).
pub type BluetoothConnector = Box<dyn Fn(&str) -> Result<Box<dyn Transport + Send>, PrintError> + Send>;

/// Bytes per write, so progress can be reported.
pub const PRINT_CHUNK: usize = 2048;

/// The configured printer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrinterConfig {
    /// `none`, `tcp`, `serial` or `bluetooth` (SPP by device address, Android).
    pub kind: String,
    /// `host:port` (tcp) or a device path such as `/dev/rfcomm0` (serial).
    pub address: String,
    /// `58mm`, `80mm` or `a4` (216 mm thermal, raster).
    pub profile: String,
    /// The printer has a Chinese font (text mode); otherwise everything Chinese is raster.
    pub chinese_font: bool,
}

impl Default for PrinterConfig {
    fn default() -> Self {
        Self { kind: "none".into(), address: String::new(), profile: "80mm".into(), chinese_font: true }
    }
}

impl PrinterConfig {
    fn target(&self) -> String {
        match self.kind.as_str() {
            "tcp" => format!("tcp://{}", self.address),
            "serial" => format!("serial:{}", self.address),
            "bluetooth" => format!("bt:{}", self.address),
            _ => "none".into(),
        }
    }

    fn profile(&self) -> AppResult<Profile> {
        let p = match self.profile.as_str() {
            "58mm" => Profile::mm58(),
            "80mm" => Profile::mm80(),
            "a4" => Profile::a4(),
            other => {
                return Err(AppError::rule("PRINTER_PROFILE", format!("不支持的纸宽“{other}”（58mm、80mm 或 a4）")));
            }
        };
        Ok(if self.chinese_font { p } else { p.without_chinese_font() })
    }
}

/// Printer resolution of thermal printers (dots per inch).
pub const PRINTER_DPI: f32 = 203.0;

fn slip_date(d: &zhifa_docgen::model::Ymd) -> SlipDate {
    SlipDate {
        year: u16::try_from(d.year).unwrap_or_default(),
        month: u8::try_from(d.month).unwrap_or_default(),
        day: u8::try_from(d.day).unwrap_or_default(),
    }
}

fn inspectors(slots: &[zhifa_docgen::model::SignatureSlot]) -> Vec<layout::Inspector> {
    slots.iter().map(|s| layout::Inspector { name: s.name.clone(), certificate_no: s.cert_no.clone() }).collect()
}

/// The receipt slip of a document: 现场检查记录 and 责令限期整改指令书 have one; every other
/// type is A4 only (`PRINT_A4_ONLY`), since served decisions and notices belong on A4 paper.
/// Built from the (frozen) model, so a reprint is byte-identical.
pub fn slip_of(model: &DocumentModel) -> Result<zhifa_escpos::Slip, PrintError> {
    let qr_payload = zhifa_docgen::qr::payload(model);
    match model {
        DocumentModel::InspectionRecord(r) => {
            let row =
                |label: &str| r.rows.iter().find(|x| x.label == label).map(|x| x.value.clone()).unwrap_or_default();
            Ok(layout::inspection_record(&InspectionRecordSlip {
                doc_no: r.number.clone(),
                enterprise: row("被检查单位"),
                address: row("地址"),
                place: row("检查场所"),
                date: slip_date(&r.date),
                inspectors: inspectors(&r.inspectors),
                findings: r.findings.clone(),
                qr_payload,
            }))
        }
        DocumentModel::RectificationOrder(o) => {
            let review_body = o
                .appeal
                .split_once("日内向")
                .and_then(|(_, rest)| rest.split_once("申请行政复议"))
                .map(|(gov, _)| gov.to_owned())
                .unwrap_or_default();
            let court = o
                .appeal
                .split_once("依法向")
                .and_then(|(_, rest)| rest.split_once("提起行政诉讼"))
                .map(|(c, _)| c.to_owned())
                .unwrap_or_default();
            Ok(layout::rectification_order(&RectificationOrderSlip {
                doc_no: o.number.clone(),
                enterprise: o.addressee.trim_end_matches('：').to_owned(),
                problems: o.findings.iter().map(|f| f.text.clone()).collect(),
                deadline: slip_date(&o.date),
                // The model's sentence names each deadline (items may differ).
                order: Some(o.order.clone()),
                review_body,
                court,
                inspectors: inspectors(&o.inspectors),
                authority: o.seal.agency.trim_end_matches("（印章）").to_owned(),
                date: slip_date(&o.date),
                qr_payload,
            }))
        }
        DocumentModel::Generic(g) => Err(PrintError::A4Only { doc_type: g.doc_type.clone() }),
    }
}

/// An A4 job for 216 mm thermal printers: the PDF's pages rendered at 203 dpi, 1 bit, GS v 0.
/// Returns the job bytes and the number of pages.
pub fn a4_job(renderer: &zhifa_docgen::Renderer, model: &DocumentModel) -> Result<(Vec<u8>, usize), AppError> {
    let profile = Profile::a4();
    let pages = renderer.render_gray(model, PRINTER_DPI)?;
    let bitmaps = pages
        .iter()
        .map(|p| {
            zhifa_escpos::Bitmap::from_gray(
                &p.pixels,
                p.width,
                p.height,
                profile.dots_per_line,
                zhifa_escpos::raster::Dither::Threshold,
            )
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok((zhifa_escpos::encode_pages(&bitmaps, &profile)?, pages.len()))
}

impl App {
    /// Installs the Bluetooth SPP connector (the Android shell's plugin).
    pub fn set_bluetooth_connector(&mut self, c: BluetoothConnector) {
        self.bluetooth = Some(c);
    }

    /// The configured printer.
    pub fn printer(&self) -> AppResult<PrinterConfig> {
        Ok(self.replica.meta("app_printer")?.and_then(|s| serde_json::from_str(&s).ok()).unwrap_or_default())
    }

    fn configured_printer(&self) -> AppResult<PrinterConfig> {
        let cfg = self.printer()?;
        if cfg.kind == "none" {
            return Err(AppError::rule("NO_PRINTER", "尚未设置打印机，请在“设置”中选择打印机"));
        }
        Ok(cfg)
    }

    /// Saves the printer settings.
    pub fn set_printer(&mut self, cfg: &PrinterConfig) -> AppResult<PrinterConfig> {
        let cfg = PrinterConfig { address: cfg.address.trim().to_owned(), ..cfg.clone() };
        match cfg.kind.as_str() {
            "none" => {}
            "tcp" => {
                let ok = cfg
                    .address
                    .rsplit_once(':')
                    .is_some_and(|(h, p)| !h.is_empty() && p.parse::<u16>().is_ok_and(|p| p > 0));
                if !ok {
                    return Err(AppError::rule(
                        "PRINTER_ADDRESS",
                        "网络打印机地址应为“主机:端口”，例如 192.168.1.50:9100",
                    ));
                }
            }
            "serial" => {
                if !cfg.address.starts_with('/') && !cfg.address.to_ascii_uppercase().starts_with("COM") {
                    return Err(AppError::rule("PRINTER_ADDRESS", "蓝牙串口打印机应填写设备路径，例如 /dev/rfcomm0"));
                }
            }
            "bluetooth" => {
                let ok = cfg.address.len() == 17
                    && cfg.address.split(':').all(|p| p.len() == 2 && p.chars().all(|c| c.is_ascii_hexdigit()));
                if !ok {
                    return Err(AppError::rule("PRINTER_ADDRESS", "蓝牙打印机地址应为 AA:BB:CC:DD:EE:FF 格式"));
                }
            }
            _ => {
                return Err(AppError::rule("PRINTER_KIND", "打印机类型只能是：无、网络（TCP）、蓝牙串口、蓝牙（SPP）"));
            }
        }
        cfg.profile()?;
        let json = serde_json::to_string(&cfg).map_err(|e| AppError::rule("INTERNAL", e.to_string()))?;
        self.replica.set_meta("app_printer", &json)?;
        Ok(cfg)
    }

    fn job_bytes(&mut self, document_id: &str, cfg: &PrinterConfig) -> AppResult<(Vec<u8>, Option<String>)> {
        let d: zhifa_core::document::Document =
            self.replica.get(document_id)?.ok_or_else(|| AppError::rule("NOT_FOUND", "未找到该文书"))?;
        if d.status == zhifa_core::document::DocumentStatus::Draft {
            return Err(AppError::rule("DOC_NOT_ISSUED", "草稿不能打印，请先签发文书"));
        }
        let model = self.document_model(document_id)?;
        if cfg.profile == "a4" {
            let (bytes, _) = a4_job(self.renderer()?, &model)?;
            return Ok((bytes, d.number));
        }
        let slip = slip_of(&model).map_err(|e| match e {
            PrintError::A4Only { .. } => AppError::rule("PRINT_A4_ONLY", format!("{e}；请在“设置”中选择A4热敏打印机")),
            other => other.into(),
        })?;
        let profile = cfg.profile()?;
        if self.rasterizer.is_none() {
            self.rasterizer = FontRasterizer::system().ok();
        }
        let bytes = match &self.rasterizer {
            Some(r) => zhifa_escpos::encode(&slip, &profile, r as &dyn Rasterizer)?,
            None => zhifa_escpos::encode(&slip, &profile, &NoRasterizer)?,
        };
        Ok((bytes, d.number))
    }

    /// Prints an issued document on the configured printer (logged; reprints marked).
    pub fn print_document(&mut self, document_id: &str, progress: &mut dyn FnMut(u64, u64)) -> AppResult<PrintJob> {
        let officer = self.officer()?.id.clone();
        let cfg = self.configured_printer()?;
        let (bytes, number) = self.job_bytes(document_id, &cfg)?;
        let target = cfg.target();
        let job = self.replica.create_print_job(&NewPrintJob {
            document_id,
            number: number.as_deref(),
            printer: &target,
            profile: &cfg.profile,
            bytes_total: bytes.len() as u64,
            officer: Some(&officer),
            now_ms: self.now_ms(),
        })?;
        self.send_job(job.id, &cfg, &bytes, progress)
    }

    /// Resumes a job that did not finish: same document, same number, same bytes.
    pub fn resume_print(&mut self, job_id: i64, progress: &mut dyn FnMut(u64, u64)) -> AppResult<PrintJob> {
        self.officer()?;
        let job = self.replica.print_job(job_id)?.ok_or_else(|| AppError::rule("NOT_FOUND", "未找到该打印任务"))?;
        if job.state == zhifa_store::PrintState::Done {
            return Err(AppError::rule("PRINT_DONE", "该打印任务已完成；如需再打印一份，请选择“补打”"));
        }
        let cfg = self.configured_printer()?;
        let (bytes, _) = self.job_bytes(&job.document_id, &cfg)?;
        self.send_job(job.id, &cfg, &bytes, progress)
    }

    /// Jobs that did not finish.
    pub fn unfinished_prints(&self) -> AppResult<Vec<PrintJob>> {
        Ok(self.replica.unfinished_print_jobs()?)
    }

    /// The print log of a document.
    pub fn print_log(&self, document_id: &str) -> AppResult<Vec<PrintJob>> {
        Ok(self.replica.print_jobs_of(document_id)?)
    }

    fn send_job(
        &mut self,
        job_id: i64,
        cfg: &PrinterConfig,
        bytes: &[u8],
        progress: &mut dyn FnMut(u64, u64),
    ) -> AppResult<PrintJob> {
        self.replica.start_print_attempt(job_id, self.now_ms())?;
        let total = bytes.len() as u64;
        let mut sent = 0u64;
        let timeout = std::time::Duration::from_secs(5);
        let result: Result<(), PrintError> = (|| {
            let mut transport: Box<dyn Transport> = match cfg.kind.as_str() {
                "tcp" => Box::new(TcpTransport::connect(&cfg.address, timeout)?),
                "bluetooth" => match &self.bluetooth {
                    Some(connect) => connect(&cfg.address)?,
                    None => {
                        return Err(PrintError::NotConnected {
                            target: cfg.address.clone(),
                            detail: "本设备不支持蓝牙SPP直连，请将打印机绑定为串口（/dev/rfcomm0）".into(),
                        });
                    }
                },
                _ => Box::new(zhifa_escpos::SerialTransport::open(&cfg.address, 115_200, timeout)?),
            };
            progress(0, total);
            for chunk in bytes.chunks(PRINT_CHUNK) {
                transport.send(chunk)?;
                sent += chunk.len() as u64;
                progress(sent, total);
            }
            Ok(())
        })();
        let now = self.now_ms();
        match result {
            Ok(()) => Ok(self.replica.finish_print_attempt(job_id, sent, None, now)?),
            Err(e) => {
                let message = match &e {
                    PrintError::NotConnected { .. } => {
                        format!("无法连接打印机，请确认打印机已开机、在范围内且有纸，然后点“继续打印”。（{e}）")
                    }
                    _ => format!("打印中断：{e}。请检查打印机（是否缺纸、是否断开）后点“继续打印”。"),
                };
                Ok(self.replica.finish_print_attempt(job_id, sent, Some((e.code(), &message)), now)?)
            }
        }
    }
}
