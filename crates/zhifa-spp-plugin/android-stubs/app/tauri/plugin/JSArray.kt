// STUB for type-checking only (see android-stubs/README.md): the constructors of Tauri 2.11.6's
// mobile/android/src/main/java/app/tauri/plugin/JSArray.kt (`put` comes from org.json.JSONArray).
package app.tauri.plugin

import org.json.JSONArray

class JSArray : JSONArray {
  constructor() : super() {}
}
