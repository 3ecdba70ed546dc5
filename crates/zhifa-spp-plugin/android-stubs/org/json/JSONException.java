// STUB for type-checking only (see android-stubs/README.md): mirrors org.json.JSONException (Android).
package org.json;

public class JSONException extends RuntimeException {
    public JSONException(String s) {
        super(s);
    }
}
