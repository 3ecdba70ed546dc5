// STUB for type-checking only (see android-stubs/README.md): the public API of Tauri 2.11.6's
// mobile/android/src/main/java/app/tauri/PermissionState.kt (bodies left out).
@file:Suppress("UNUSED_PARAMETER")

package app.tauri

enum class PermissionState(private val state: String) {
  GRANTED("granted"), DENIED("denied"), PROMPT("prompt"), PROMPT_WITH_RATIONALE("prompt-with-rationale");

  override fun toString(): String {
    return state
  }

  companion object {
    fun byState(state: String): PermissionState {
      TODO("stub")
    }
  }
}
