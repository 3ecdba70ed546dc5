// STUB for type-checking only (see android-stubs/README.md): the public API of Tauri 2.11.6's
// mobile/android/src/main/java/app/tauri/plugin/Invoke.kt, signatures unchanged, bodies left
// out. Left out: the constructor's `jsonMapper: ObjectMapper` and `parseArgs(TypeReference)`
// (Jackson), which the plugin does not use.
@file:Suppress("UNUSED_PARAMETER")

package app.tauri.plugin

class Invoke(
  val id: Long,
  val command: String,
  val callback: Long,
  val error: Long
) {
  fun getRawArgs(): String {
    TODO("stub")
  }

  fun getArgs(): JSObject {
    TODO("stub")
  }

  fun<T> parseArgs(cls: Class<T>): T {
    TODO("stub")
  }

  fun resolve(data: JSObject?) {
    TODO("stub")
  }

  fun resolveObject(data: Any) {
    TODO("stub")
  }

  fun resolve() {
    TODO("stub")
  }

  fun reject(msg: String?, code: String?, ex: Exception?, data: JSObject?) {
    TODO("stub")
  }

  fun reject(msg: String?, ex: Exception?, data: JSObject?) {
    TODO("stub")
  }

  fun reject(msg: String?, code: String?, data: JSObject?) {
    TODO("stub")
  }

  fun reject(msg: String?, code: String?, ex: Exception?) {
    TODO("stub")
  }

  fun reject(msg: String?, data: JSObject?) {
    TODO("stub")
  }

  fun reject(msg: String?, ex: Exception?) {
    TODO("stub")
  }

  fun reject(msg: String?, code: String?) {
    TODO("stub")
  }

  fun reject(msg: String?) {
    TODO("stub")
  }
}
