//! Android: the Kotlin half's handle and the [`Bridge`] over `run_mobile_plugin`.

use tauri::Runtime;
use tauri::plugin::{PluginHandle, mobile::PluginInvokeError};

use crate::transport::{Bridge, Rejected};

/// The loaded Kotlin plugin, kept in the app's state by [`crate::init`].
pub struct Spp<R: Runtime>(pub PluginHandle<R>);

impl<R: Runtime> Bridge for PluginHandle<R> {
    fn call(&self, command: &str, args: serde_json::Value) -> Result<serde_json::Value, Rejected> {
        // Blocks until the Kotlin command resolves or rejects (it does its IO off the main thread).
        self.run_mobile_plugin::<serde_json::Value>(command, args).map_err(|e| match e {
            PluginInvokeError::InvokeRejected(r) => Rejected { code: r.code, message: r.message },
            other => Rejected { code: None, message: Some(other.to_string()) },
        })
    }
}
