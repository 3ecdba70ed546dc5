// STUB for type-checking only (see android-stubs/README.md): mirrors org.json.JSONArray (Android).
package org.json;

public class JSONArray {
    public JSONArray() {
    }

    public JSONArray put(Object value) {
        throw new RuntimeException("Stub!");
    }

    public int length() {
        throw new RuntimeException("Stub!");
    }
}
