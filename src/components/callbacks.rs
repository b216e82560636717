//! The components' one idiom for a callback that needs its own clone of a handle.

use yew::Callback;

/// A callback that reads its own clone of `captured`: one line where a
/// `{ let x = x.clone(); Callback::from(move |…| …) }` block would be.
/// `captured` is a handle (a reducer's, an `Rc`), so the clone is cheap.
pub fn make_callback<Captured, In>(
    captured: &Captured,
    handle: impl Fn(&Captured, In) + 'static,
) -> Callback<In>
where
    Captured: Clone + 'static,
    In: 'static,
{
    let captured = captured.clone();
    Callback::from(move |input| handle(&captured, input))
}
