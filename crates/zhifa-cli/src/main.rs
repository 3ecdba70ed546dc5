//! `zhifa`: the operator's command-line tool.
//!
//! A thin shell: parse arguments, call the library crates, print in Chinese, map errors
//! to exit codes (0 ok, 2 unusable input or database, 3 some rows invalid).

mod commands;
mod doc;
mod print;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

/// 执法通（Zhifa）运维命令行工具
#[derive(Parser, Debug)]
#[command(name = "zhifa", version, about = "执法通 Zhifa：安全生产执法离线数据库运维工具")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// 创建或升级本地数据库，并载入检查事项、法规、文书、区划等基础数据（可重复执行）
    Init {
        /// 数据库文件路径
        #[arg(long)]
        db: PathBuf,
    },
    /// 导入数据
    Import {
        #[command(subcommand)]
        what: ImportWhat,
    },
    /// 检索企业、检查事项或法规条文
    Search {
        /// 检索对象
        what: SearchWhat,
        /// 关键词（可输入一两个汉字、信用代码的任意片段）
        query: String,
        /// 数据库文件路径
        #[arg(long)]
        db: PathBuf,
        /// 最多显示条数
        #[arg(long, default_value_t = 20)]
        limit: usize,
        /// 以 JSON 输出
        #[arg(long)]
        json: bool,
    },
    /// 载入吕梁市演示数据（企业、执法人员、年度计划），可重复执行
    DemoData {
        /// 数据库文件路径
        #[arg(long)]
        db: PathBuf,
        /// 随机种子（相同种子生成相同数据）
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        /// 企业数量
        #[arg(long, default_value_t = 2400)]
        enterprises: usize,
    },
    /// 计算法定期限：从某一日期起算，列出各项期限的届满日（考虑节假日与调休）
    Deadline {
        /// 起算日期，如 2026-02-13
        #[arg(long)]
        from: String,
        /// 只计算某一规则，如 D-HEARING-REQUEST
        #[arg(long)]
        rule: Option<String>,
    },
    /// 模拟“县局夜间同步”：多台模拟平板离线工作若干天后与服务器同步，并核对一致性
    Sim {
        /// 同步服务器地址，如 http://127.0.0.1:8080（服务器须以 --demo 启动）
        #[arg(long)]
        server: String,
        /// 模拟平板数量
        #[arg(long, default_value_t = 12)]
        devices: usize,
        /// 离线天数
        #[arg(long, default_value_t = 1)]
        days: u32,
        /// 冲突比例（百分比）：同县多台平板同日修改同一企业的台账更新比例
        #[arg(long, default_value_t = 5)]
        conflict_rate: u32,
        /// 随机种子
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// 注入故障（确认丢失、拉取中途崩溃、随机批次大小）
        #[arg(long)]
        faults: bool,
        /// 夜间同时上传的平板数（1：逐台上传；注入故障时逐台上传）
        #[arg(long, default_value_t = 1)]
        parallel: usize,
        /// 以 JSON 输出
        #[arg(long)]
        json: bool,
    },
    /// 一键演示：创建数据库、载入吕梁市演示数据并浏览（新用户从这里开始）
    Demo {
        /// 数据库文件路径
        #[arg(long, default_value = "zhifa-demo.sqlite")]
        db: PathBuf,
    },
    /// 执法文书：列出文书种类、生成 PDF
    Doc {
        #[command(subcommand)]
        what: doc::DocCommand,
    },
    /// 打印执法文书：生成 ESC/POS 打印数据写入文件，或发送到小票/A4 热敏打印机
    Print(print::PrintArgs),
    /// 简要浏览数据库中的内容
    Tour {
        /// 数据库文件路径
        #[arg(long)]
        db: PathBuf,
    },
}

#[derive(Subcommand, Debug)]
enum ImportWhat {
    /// 从 Excel（.xlsx）或 CSV 文件导入企业台账
    Enterprises {
        /// 台账文件（.xlsx 或 .csv；CSV 支持 UTF-8、带 BOM 的 UTF-8、GBK/GB18030）
        file: PathBuf,
        /// 数据库文件路径
        #[arg(long)]
        db: PathBuf,
        /// 只检查，不写入数据库
        #[arg(long)]
        dry_run: bool,
        /// 以 JSON 输出结果
        #[arg(long)]
        json: bool,
    },
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum SearchWhat {
    /// 企业（名称、统一社会信用代码、地址）
    Enterprises,
    /// 检查事项
    Items,
    /// 法规条文
    Laws,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Init { db } => commands::init(&db),
        Command::Import { what: ImportWhat::Enterprises { file, db, dry_run, json } } => {
            commands::import_enterprises(&file, &db, dry_run, json)
        }
        Command::Search { what, query, db, limit, json } => commands::search(what, &query, &db, limit, json),
        Command::DemoData { db, seed, enterprises } => commands::demo_data(&db, seed, enterprises),
        Command::Demo { db } => commands::demo_data(&db, 2026, 2400).and_then(|_| commands::tour(&db)),
        Command::Tour { db } => commands::tour(&db),
        Command::Doc { what } => doc::run(what),
        Command::Print(args) => print::run(args),
        Command::Sim { server, devices, days, conflict_rate, seed, faults, parallel, json } => {
            commands::sim(&server, devices, days, conflict_rate, seed, faults, parallel, json)
        }
        Command::Deadline { from, rule } => commands::deadline(&from, rule.as_deref()),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            let code = commands::error_code(&e);
            eprintln!("错误[{code}]：{e}");
            for cause in e.chain().skip(1) {
                eprintln!("  原因：{cause}");
            }
            ExitCode::from(2)
        }
    }
}
