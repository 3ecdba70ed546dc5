// STUB for type-checking only (see android-stubs/README.md): copied unchanged from Tauri 2.11.6,
// mobile/android/src/main/java/app/tauri/annotation/PermissionCallback.kt.
// Copyright 2019-2024 Tauri Programme within The Commons Conservancy
// SPDX-License-Identifier: Apache-2.0
// SPDX-License-Identifier: MIT

package app.tauri.annotation

@Retention(AnnotationRetention.RUNTIME)
@Target(AnnotationTarget.FUNCTION)
annotation class PermissionCallback
