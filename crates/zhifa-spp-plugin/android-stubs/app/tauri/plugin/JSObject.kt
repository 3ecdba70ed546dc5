// STUB for type-checking only (see android-stubs/README.md): the constructors of Tauri 2.11.6's
// mobile/android/src/main/java/app/tauri/plugin/JSObject.kt (`put` comes from org.json.JSONObject).
package app.tauri.plugin

import org.json.JSONObject

class JSObject : JSONObject {
  constructor() : super()
  constructor(json: String) : super(json)
}
