//! Errors of the replica.

use std::path::PathBuf;

/// Everything that can go wrong in the replica.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The file does not exist (and the caller asked to open, not to create).
    #[error("数据库文件不存在：{path}（请先运行 zhifa init --db {path}）")]
    NotFound {
        /// Path.
        path: PathBuf,
    },
    /// The file exists but is not a Zhifa replica / not a SQLite file / is damaged.
    /// It is never re-created silently: unsynced data may be inside.
    #[error("数据库文件已损坏或不是有效的执法数据库：{path}（文件未被修改，请联系管理员恢复）")]
    Corrupt {
        /// Path.
        path: PathBuf,
        /// SQLite's error, if any.
        #[source]
        source: Option<rusqlite::Error>,
    },
    /// The file's schema is newer than this program.
    #[error("数据库版本（{found}）高于本程序支持的版本（{supported}），请升级程序：{path}")]
    TooNew {
        /// Path.
        path: PathBuf,
        /// Version in the file.
        found: u32,
        /// Highest version known.
        supported: u32,
    },
    /// SQLite refused a required setting (WAL, synchronous=FULL).
    #[error("数据库无法启用必需的安全设置（{setting}）：{path}")]
    Pragma {
        /// Path.
        path: PathBuf,
        /// Which setting.
        setting: &'static str,
    },
    /// Any other SQLite error.
    #[error("数据库操作失败")]
    Sqlite(#[from] rusqlite::Error),
    /// Stored JSON did not match the type (a bug or a newer writer).
    #[error("数据格式错误（{entity} {id}）")]
    Json {
        /// Entity table.
        entity: &'static str,
        /// Row id.
        id: String,
        /// Cause.
        #[source]
        source: serde_json::Error,
    },
    /// IO error on the file.
    #[error("无法访问数据库文件：{path}")]
    Io {
        /// Path.
        path: PathBuf,
        /// Cause.
        #[source]
        source: std::io::Error,
    },
    /// A write broke a domain rule.
    #[error("{0}")]
    Rule(String),
}

impl StoreError {
    /// Stable machine code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotFound { .. } => "DB_NOT_FOUND",
            Self::Corrupt { .. } => "DB_CORRUPT",
            Self::TooNew { .. } => "DB_TOO_NEW",
            Self::Pragma { .. } => "DB_PRAGMA",
            Self::Sqlite(_) => "DB_ERROR",
            Self::Json { .. } => "DB_JSON",
            Self::Io { .. } => "DB_IO",
            Self::Rule(_) => "RULE_VIOLATION",
        }
    }
}

/// Result alias.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;
