//! Bluetooth SPP receipt printers for the Zhifa tablet, as a Tauri 2 plugin (`zhifa-spp`).
//!
//! - Android: [`init`] registers the Kotlin half (`android/`, class
//!   `cn.gov.luliang.zhifa.spp.SppPrinterPlugin`), which opens an RFCOMM socket to the
//!   printer's SPP service ([`SPP_UUID`]); [`connector`] gives the print queue
//!   (`zhifa_app::App::set_bluetooth_connector`) an [`SppTransport`] per job.
//! - Desktop: no Kotlin; [`connector`] opens a device path such as `/dev/rfcomm0` as a serial
//!   port and refuses a bare address with a message saying how to bind it (`rfcomm bind`).
//!
//! The webview cannot call the plugin (no commands, no permissions): only Rust does, through
//! the print queue. See `docs/printing.md` ("Android: Bluetooth SPP plugin").

pub mod desktop;
pub mod error;
#[cfg(target_os = "android")]
pub mod mobile;
pub mod transport;

use tauri::plugin::{Builder, TauriPlugin};
use tauri::{AppHandle, Runtime};
use zhifa_escpos::{PrintError, Transport};

pub use error::{SppError, normalize_address};
pub use transport::{Bridge, PairedDevice, Rejected, SPP_UUID, SppTransport};

/// The plugin's runtime name; equals the crate's `links` (the permission prefix).
pub const PLUGIN_NAME: &str = "zhifa-spp";
/// Package of the Kotlin half.
pub const ANDROID_PACKAGE: &str = "cn.gov.luliang.zhifa.spp";
/// Class of the Kotlin half.
pub const ANDROID_CLASS: &str = "SppPrinterPlugin";

/// Opens a link to a printer by its address; the same type as
/// `zhifa_app::printing::BluetoothConnector`, which the shell installs with
/// `App::set_bluetooth_connector`.
pub type Connector = Box<dyn Fn(&str) -> Result<Box<dyn Transport + Send>, PrintError> + Send>;

/// The plugin: on Android it loads the Kotlin half and keeps its handle in the app's state.
pub fn init<R: Runtime>() -> TauriPlugin<R> {
    Builder::new(PLUGIN_NAME)
        .setup(|app, api| {
            #[cfg(target_os = "android")]
            {
                use tauri::Manager as _;
                let handle = api.register_android_plugin(ANDROID_PACKAGE, ANDROID_CLASS)?;
                app.manage(mobile::Spp(handle));
            }
            #[cfg(not(target_os = "android"))]
            let _ = (app, api);
            Ok(())
        })
        .build()
}

/// The connector for `App::set_bluetooth_connector`. Call it after the plugin is set up (in
/// the app's `setup`). Android: SPP through the Kotlin half. Elsewhere:
/// [`desktop::connector`].
pub fn connector<R: Runtime>(app: &AppHandle<R>) -> Connector {
    #[cfg(target_os = "android")]
    {
        use tauri::Manager as _;
        match app.try_state::<mobile::Spp<R>>() {
            Some(spp) => bridge_connector(spp.0.clone()),
            None => Box::new(|address| {
                Err(SppError::Plugin("蓝牙打印插件未注册（zhifa_spp_plugin::init）".into())
                    .into_print_error(address, false))
            }),
        }
    }
    #[cfg(not(target_os = "android"))]
    {
        let _ = app;
        desktop::connector()
    }
}

/// A connector that opens an [`SppTransport`] over `bridge` for each job.
pub fn bridge_connector<B: Bridge + Clone + 'static>(bridge: B) -> Connector {
    Box::new(move |address| Ok(Box::new(SppTransport::open(bridge.clone(), address)?) as Box<dyn Transport + Send>))
}

/// The devices paired with this tablet (Android); elsewhere [`SppError::Unsupported`].
pub fn list_paired<R: Runtime>(app: &AppHandle<R>) -> Result<Vec<PairedDevice>, SppError> {
    #[cfg(target_os = "android")]
    {
        use tauri::Manager as _;
        let spp = app.try_state::<mobile::Spp<R>>().ok_or_else(|| SppError::Plugin("蓝牙打印插件未注册".into()))?;
        transport::list_paired(&spp.0)
    }
    #[cfg(not(target_os = "android"))]
    {
        let _ = app;
        Err(SppError::Unsupported)
    }
}
