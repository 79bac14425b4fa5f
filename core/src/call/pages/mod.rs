//! Auto-paging: the page machine ([`pager`]: `Pager`, `Page`) and the iterator and stream a
//! transport's client drives it with ([`iter`]: `PageIter`, `PageStream`).

pub mod iter;
pub mod pager;
