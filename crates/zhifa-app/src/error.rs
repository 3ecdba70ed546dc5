//! The app's error: every failure reaches the UI as `{code, message}` with a stable code and
//! a Chinese message; library errors keep their source.

use serde::ser::SerializeStruct;

/// An error of an app operation.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The local replica.
    #[error(transparent)]
    Store(#[from] zhifa_store::StoreError),
    /// Sync with the server.
    #[error(transparent)]
    Sync(#[from] zhifa_sync_client::SyncError),
    /// Document generation.
    #[error(transparent)]
    Docgen(#[from] zhifa_docgen::DocgenError),
    /// Printing.
    #[error(transparent)]
    Print(#[from] zhifa_escpos::PrintError),
    /// Passwords and credentials.
    #[error(transparent)]
    Auth(#[from] zhifa_auth::AuthError),
    /// Files in the app's data folder.
    #[error("文件读写失败（{path}）：{source}")]
    Io {
        /// File.
        path: String,
        /// Cause.
        #[source]
        source: std::io::Error,
    },
    /// Bad input or an operation not allowed in this state.
    #[error("{message}")]
    Rule {
        /// Stable code.
        code: &'static str,
        /// Chinese message.
        message: String,
    },
}

fn disk_full(e: &AppError) -> bool {
    match e {
        AppError::Io { source, .. } => source.raw_os_error() == Some(28),
        AppError::Store(zhifa_store::StoreError::Sqlite(rusqlite::Error::SqliteFailure(f, _))) => {
            f.code == rusqlite::ErrorCode::DiskFull
        }
        _ => false,
    }
}

impl AppError {
    /// A rule error.
    pub fn rule(code: &'static str, message: impl Into<String>) -> Self {
        Self::Rule { code, message: message.into() }
    }

    /// An IO error on `path`.
    pub fn io(path: &std::path::Path, source: std::io::Error) -> Self {
        Self::Io { path: path.display().to_string(), source }
    }

    /// Stable code for programs and tests.
    pub fn code(&self) -> String {
        if disk_full(self) {
            return "STORAGE_FULL".to_owned();
        }
        match self {
            Self::Store(e) => e.code().to_owned(),
            Self::Sync(e) => e.code().to_owned(),
            Self::Docgen(e) => e.code().to_owned(),
            Self::Print(e) => e.code().to_owned(),
            Self::Auth(e) => e.code().to_owned(),
            Self::Io { .. } => "IO".to_owned(),
            Self::Rule { code, .. } => (*code).to_owned(),
        }
    }

    /// Chinese message for the user.
    pub fn message(&self) -> String {
        if disk_full(self) {
            return "存储空间已满，本次操作未保存；已保存的数据不受影响。请清理空间后重试。".to_owned();
        }
        self.to_string()
    }
}

impl serde::Serialize for AppError {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("AppError", 2)?;
        st.serialize_field("code", &self.code())?;
        st.serialize_field("message", &self.message())?;
        st.end()
    }
}

/// Result of app operations.
pub type AppResult<T> = Result<T, AppError>;
