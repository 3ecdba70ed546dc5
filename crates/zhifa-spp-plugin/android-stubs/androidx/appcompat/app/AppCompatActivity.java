// STUB for type-checking only (see android-stubs/README.md): mirrors
// androidx.appcompat.app.AppCompatActivity (really via FragmentActivity/ComponentActivity).
package androidx.appcompat.app;

import android.app.Activity;

public class AppCompatActivity extends Activity {
}
