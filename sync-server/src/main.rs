//! `zhifa-server`: parses the command line and serves the sync API.

use std::net::SocketAddr;

use anyhow::Context;
use clap::Parser;
use zhifa_server::db::{Db, DbUrl};
use zhifa_server::{AppState, demo, launch, tls};

/// 执法通 Zhifa 同步服务器
#[derive(Parser, Debug)]
#[command(name = "zhifa-server", version, about = "执法通 Zhifa：中心同步服务器")]
struct Args {
    /// 数据库：sqlite:路径（默认，单机）或 postgres://用户@主机/库（多进程共享）
    #[arg(long, default_value = "sqlite:zhifa-server.sqlite")]
    db: DbUrl,
    /// 监听地址
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// 载入吕梁市演示数据（机构、执法人员及演示密码、企业台账）
    #[arg(long)]
    demo: bool,
    /// 演示企业数量
    #[arg(long, default_value_t = 2400)]
    demo_enterprises: usize,
    /// HTTPS 证书链（PEM，服务器证书在前）；与 --tls-key 一起给出时直接提供 HTTPS
    #[arg(long, requires = "tls_key")]
    tls_cert: Option<std::path::PathBuf>,
    /// HTTPS 私钥（PEM）
    #[arg(long, requires = "tls_cert")]
    tls_key: Option<std::path::PathBuf>,
    /// 数据库工作线程数
    #[arg(long, default_value_t = 4)]
    workers: usize,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt().with_env_filter(tracing_subscriber::EnvFilter::from_default_env()).init();
    let args = Args::parse();
    let db = Db::start(&args.db, args.workers).with_context(|| "无法打开数据库")?;
    let state = AppState::new(db.clone());
    if args.demo {
        let shown =
            demo::seed(&db, args.demo_enterprises, &state.auth.password).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        println!("演示数据已载入（企业 {} 家）。演示账号（密码均为 {}）：", args.demo_enterprises, demo::DEMO_PASSWORD);
        let city: Vec<_> = shown.iter().filter(|a| a.unit.starts_with("吕梁市应急管理局")).take(5).collect();
        let county: Vec<_> = shown.iter().filter(|a| a.unit.starts_with("孝义")).take(5).collect();
        for a in city.into_iter().chain(county) {
            println!("  {}  {}  {}  {}", a.login, a.name, a.unit, a.roles);
        }
    }
    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => {
            let read = |p: &std::path::Path| std::fs::read(p).with_context(|| format!("无法读取 {}", p.display()));
            let cfg = tls::server_config(&read(cert)?, &read(key)?)
                .map_err(|e| anyhow::anyhow!("错误[{}]：{e}", e.code()))?;
            Some(cfg)
        }
        _ => None,
    };
    let listener =
        tokio::net::TcpListener::bind(args.listen).await.with_context(|| format!("无法监听 {}", args.listen))?;
    let scheme = if tls.is_some() { "https" } else { "http" };
    println!("zhifa-server 已启动：{scheme}://{}/api/v1/capabilities", listener.local_addr()?);
    match tls {
        Some(cfg) => tls::launch_tls(listener, cfg, state).await?,
        None => launch(listener, state).await?,
    }
    Ok(())
}
