//! Hand-written resource namespaces (agents, world, calls) over the one mechanism of
//! [`crate::client`]. The generated surface plugs into the same `Scope`/`Pending` values.

pub mod agents;
pub mod calls;
pub mod models;
pub mod world;

use crate::client::{Client, Executor};

impl<E: Executor> Client<E> {
    /// Agents: `/v1/{workspace_id}/agents`.
    pub fn agents(&self) -> agents::Agents<'_, E> {
        agents::Agents::new(self.scoped())
    }

    /// The world model: entities.
    pub fn world(&self) -> world::World<'_, E> {
        world::World::new(self.scoped())
    }

    /// Calls.
    pub fn calls(&self) -> calls::Calls<'_, E> {
        calls::Calls::new(self.scoped())
    }
}

/// Defines a namespace struct wrapping a [`crate::client::Scope`] with `with_options`.
macro_rules! namespace {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone)]
        pub struct $name<'c, E> {
            scope: $crate::client::Scope<'c, E>,
        }

        impl<'c, E: $crate::client::Executor> $name<'c, E> {
            /// Wraps a scope.
            pub fn new(scope: $crate::client::Scope<'c, E>) -> Self {
                Self { scope }
            }

            /// A copy of this namespace whose calls also apply `options`.
            pub fn with_options(&self, options: $crate::options::RequestOptions) -> Self {
                Self { scope: self.scope.with_options(options) }
            }
        }
    };
}
pub(crate) use namespace;

/// Implements [`crate::Operation`] for a JSON operation with a fixed method and template.
macro_rules! operation {
    ($ty:ty, $method:ident, $path:literal, $id:literal, $out:ty, $parse:path, |$s:ident| $parts:expr) => {
        impl $crate::operation::Operation for $ty {
            type Output = $out;
            fn method(&self) -> http::Method {
                http::Method::$method
            }
            fn path_template(&self) -> &str {
                $path
            }
            fn operation_id(&self) -> &str {
                $id
            }
            #[allow(unused_braces)]
            fn parts(&self) -> Result<$crate::operation::RequestParts, $crate::Error> {
                let $s = self;
                $parts
            }
            #[inline]
            fn parse(&self, response: http::Response<bytes::Bytes>) -> Result<$out, $crate::Error> {
                $parse(response)
            }
        }
    };
}
pub(crate) use operation;
