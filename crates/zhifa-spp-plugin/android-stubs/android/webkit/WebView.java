// STUB for type-checking only (see android-stubs/README.md): mirrors android.webkit.WebView.
package android.webkit;

public class WebView {
}
