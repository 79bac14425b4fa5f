//! Compact forms of the generated impls: each operation is one `operation!` (plus `paginated!`
//! and `setters!` where it lists or has optional parameters) instead of expanded impl blocks.
//!
//! Every method is `#[inline]`, so nothing that monomorphises serde (the body's `Serialize`, the
//! output's `Deserialize`) is code-generated in this crate: an application pays only for the
//! operations it calls.

/// Implements [`amigo_platform_core::Operation`] for a generated operation struct.
///
/// `operation!(Type, METHOD, "/path/{var}", "operation-id", "accept", Output, parse::fn, |s, p| {
/// ..statements filling p.. })`: the body sees the operation as `s` and a mutable
/// [`RequestParts`](amigo_platform_core::RequestParts) as `p`.
macro_rules! operation {
    ($ty:ident, $method:ident, $path:literal, $id:literal, $accept:literal, $out:ty, $parse:path,
     |$s:ident, $p:ident| $parts:block) => {
        impl amigo_platform_core::Operation for $ty {
            type Output = $out;
            #[inline]
            fn method(&self) -> http::Method {
                http::Method::$method
            }
            #[inline]
            fn path_template(&self) -> &str {
                $path
            }
            #[inline]
            fn operation_id(&self) -> &str {
                $id
            }
            #[inline]
            fn accept(&self) -> &'static str {
                $accept
            }
            #[inline]
            #[allow(unused_mut, unused_variables)]
            fn parts(
                &self,
            ) -> Result<amigo_platform_core::RequestParts, amigo_platform_core::Error>
            {
                let $s = self;
                let mut $p = amigo_platform_core::RequestParts::new();
                $parts
                Ok($p)
            }
            #[inline]
            fn parse(
                &self,
                response: http::Response<bytes::Bytes>,
            ) -> Result<$out, amigo_platform_core::Error> {
                $parse(response)
            }
        }
    };
}

/// Implements [`amigo_platform_core::Paginated`]: `paginated!(Type, Kind, cursor_field, Item,
/// Output, |o| PageData { .. })`.
macro_rules! paginated {
    ($ty:ident, $kind:ident, $cursor:ident, $item:ty, $out:ty, |$o:ident| $page:expr) => {
        impl amigo_platform_core::Paginated for $ty {
            type Item = $item;
            #[inline]
            fn pager_kind(&self) -> amigo_platform_core::PagerKind {
                amigo_platform_core::PagerKind::$kind
            }
            #[inline]
            fn cursor(&self) -> Option<i64> {
                self.$cursor
            }
            #[inline]
            fn with_cursor(&self, cursor: i64) -> Self {
                $ty {
                    $cursor: Some(cursor),
                    ..self.clone()
                }
            }
            #[inline]
            fn page($o: $out) -> amigo_platform_core::PageData<$item> {
                use amigo_platform_core::PageData;
                $page
            }
        }
    };
}

/// Setters for an operation's optional parameters on its [`Call`](crate::Call):
/// `setters! { Type { /// doc
/// field(v: ArgType) => value_expr; .. } }`.
macro_rules! setters {
    ($ty:ident { $($(#[$m:meta])* $field:ident($v:ident: $arg:ty) => $val:expr;)* }) => {
        impl<'c, E: amigo_platform_core::Transport, M> $crate::call::Call<'c, E, $ty, M> {
            $(
                $(#[$m])*
                #[inline]
                pub fn $field(mut self, $v: $arg) -> Self {
                    self.op_mut().$field = $val;
                    self
                }
            )*
        }
    };
}

/// Chainable setters on a request-side model: `body_setters! { Type { method(field) = "wire": T;
/// .. } patch { method / clear_method(field) = "wire": T; .. } }`. An `Option` field gets
/// `method(v)` (sets `Some`); a tri-state [`Patch`](amigo_platform_core::Patch) field gets
/// `method(v)` (sets `Patch::Value`) and `clear_method()` (sets `Patch::Null`, sent as `null`).
/// The method is named after the field (`set_` + the field where that would shadow a trait
/// method, e.g. `set_default`).
///
/// The setters take `impl Into<T>` and are `#[inline]`: generic, so nothing is code-generated
/// in this crate for them.
macro_rules! body_setters {
    ($ty:ident {
        $($m:ident($field:ident) = $wire:literal: $t:ty;)*
    } patch {
        $($pm:ident / $clear:ident($pfield:ident) = $pwire:literal: $pt:ty;)*
    }) => {
        impl $ty {
            $(
                #[doc = concat!("Sets `", $wire, "`.")]
                #[inline]
                pub fn $m(mut self, v: impl Into<$t>) -> Self {
                    self.$field = Some(v.into());
                    self
                }
            )*
            $(
                #[doc = concat!("Sets `", $pwire, "` to a value ([`Patch::Value`](amigo_platform_core::Patch::Value)).")]
                #[inline]
                pub fn $pm(mut self, v: impl Into<$pt>) -> Self {
                    self.$pfield = amigo_platform_core::Patch::Value(v.into());
                    self
                }
                #[doc = concat!("Sends `", $pwire, "` as `null` ([`Patch::Null`](amigo_platform_core::Patch::Null)), clearing it.")]
                #[inline]
                pub fn $clear(mut self) -> Self {
                    self.$pfield = amigo_platform_core::Patch::Null;
                    self
                }
            )*
        }
    };
}
