// STUB for type-checking only (see android-stubs/README.md): the members of Tauri 2.11.6's
// mobile/android/src/main/java/app/tauri/plugin/Plugin.kt that a plugin overrides or calls,
// signatures unchanged, bodies left out.
@file:Suppress("UNUSED_PARAMETER")

package app.tauri.plugin

import android.app.Activity
import android.webkit.WebView
import androidx.appcompat.app.AppCompatActivity
import app.tauri.PermissionState

abstract class Plugin(private val activity: Activity) {
  open fun load(webView: WebView) {}

  open fun onPause() {}

  open fun onResume() {}

  open fun onStop() {}

  open fun onDestroy(activity: AppCompatActivity) {}

  fun trigger(event: String, payload: JSObject) {
    TODO("stub")
  }

  fun hasListener(event: String): Boolean {
    TODO("stub")
  }

  open fun checkPermissions(invoke: Invoke) {
    TODO("stub")
  }

  open fun requestPermissions(invoke: Invoke) {
    TODO("stub")
  }

  fun isPermissionDeclared(alias: String): Boolean {
    TODO("stub")
  }

  protected fun requestAllPermissions(
    invoke: Invoke,
    callbackName: String
  ) {
    TODO("stub")
  }

  protected fun requestPermissionForAlias(
    alias: String,
    invoke: Invoke,
    callbackName: String
  ) {
    TODO("stub")
  }

  fun getPermissionState(alias: String): PermissionState? {
    TODO("stub")
  }

  open fun getPermissionStates(): Map<String, PermissionState> {
    TODO("stub")
  }
}
