// STUB for type-checking only (see android-stubs/README.md): mirrors org.json.JSONObject (Android).
package org.json;

public class JSONObject {
    public JSONObject() {
    }

    public JSONObject(String json) throws JSONException {
    }

    public JSONObject put(String name, boolean value) throws JSONException {
        throw new RuntimeException("Stub!");
    }

    public JSONObject put(String name, double value) throws JSONException {
        throw new RuntimeException("Stub!");
    }

    public JSONObject put(String name, int value) throws JSONException {
        throw new RuntimeException("Stub!");
    }

    public JSONObject put(String name, long value) throws JSONException {
        throw new RuntimeException("Stub!");
    }

    public JSONObject put(String name, Object value) throws JSONException {
        throw new RuntimeException("Stub!");
    }

    public String getString(String name) throws JSONException {
        throw new RuntimeException("Stub!");
    }

    public boolean getBoolean(String name) throws JSONException {
        throw new RuntimeException("Stub!");
    }
}
