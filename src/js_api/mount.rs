//! `mount(element, options)` and the [`PanelHandle`] it returns.
//!
//! The handle owns its panel: the Yew app, the last full options (so `update` can merge a
//! partial object into them) and what they were read into. The only shared state is a
//! `WeakSet` of the host elements that hold a panel, which answers "already mounted"
//! without keeping an element alive.

use std::cell::{Cell, RefCell};

use js_sys::{Object, Reflect, WeakSet};
use wasm_bindgen::prelude::*;
use web_sys::Element;
use yew::AppHandle;

use super::messages::{describe, kind, type_error, PREFIX};
use super::options::{names, read_options, OPTIONS};
use super::values::{check_known_keys, get, given, is_plain_object, JsResult};
use crate::{StartConversation, StartConversationProps};

thread_local! {
    /// The host elements that hold a panel.
    static HOSTS: WeakSet = WeakSet::new();
}

/// The options of a mounted panel.
struct Settings {
    /// The last full options, so `update` can merge a partial object into them.
    options: Object,
    /// What they were read into.
    props: StartConversationProps,
    /// Counts updates, so one made while the app re-renders is not lost.
    version: u32,
}

/// The handle `mount` returns.
#[wasm_bindgen]
pub struct PanelHandle {
    host: Element,
    container: Element,
    settings: RefCell<Settings>,
    /// Out of its cell while Yew renders, so a host callback that runs meanwhile can call
    /// `update` or `destroy` without meeting a borrowed cell.
    app: RefCell<Option<AppHandle<StartConversation>>>,
    destroyed: Cell<bool>,
}

/// Renders the panel into `element` (replacing its content) and returns its handle.
///
/// Throws a `TypeError` naming the option when an option is wrong, and when `element`
/// is not an element or already holds a panel.
#[wasm_bindgen]
pub fn mount(element: JsValue, options: JsValue) -> JsResult<PanelHandle> {
    let host = element.dyn_into::<Element>().map_err(|other| {
        type_error(&format!(
            "{PREFIX}: mount(element, options) needs a DOM Element as `element`, got {}",
            describe(&other)
        ))
    })?;
    if HOSTS.with(|hosts| hosts.has(&host)) {
        return Err(type_error(&format!(
            "{PREFIX}: this element already holds a panel: call destroy() on its handle \
             first, or update() it"
        )));
    }
    let props = read_options(&options)?;
    let copy = Object::new();
    if options.is_object() {
        Object::assign(&copy, options.unchecked_ref());
    }
    let document = host
        .owner_document()
        .ok_or_else(|| type_error(&format!("{PREFIX}: the element has no document")))?;
    let container = document.create_element("div")?;
    container.set_class_name("nsc-root");
    host.replace_children_with_node_1(&container);
    let app =
        yew::Renderer::<StartConversation>::with_root_and_props(container.clone(), props.clone())
            .render();
    HOSTS.with(|hosts| hosts.add(&host));
    Ok(PanelHandle {
        host,
        container,
        settings: RefCell::new(Settings {
            options: copy,
            props,
            version: 0,
        }),
        app: RefCell::new(Some(app)),
        destroyed: Cell::new(false),
    })
}

#[wasm_bindgen]
impl PanelHandle {
    /// Merges `partial` into the options and re-renders, keeping what the member typed.
    /// A key set to `undefined` or `null` goes back to its default. A new value of an
    /// option replaces the one it excludes (`token` and `getToken`, `upload` and
    /// `uploadEndpoint`). Throws a `TypeError` (and changes nothing) when an option is
    /// wrong.
    pub fn update(&self, partial: JsValue) -> JsResult<()> {
        if partial.is_undefined() || partial.is_null() {
            return Ok(());
        }
        if !is_plain_object(&partial) {
            return Err(type_error(&format!(
                "{PREFIX}: update(options) needs an object, got {}",
                kind(&partial)
            )));
        }
        if self.destroyed.get() {
            return Err(js_sys::Error::new(&format!("{PREFIX}: this panel was destroyed")).into());
        }
        check_known_keys(&partial, "option", &names())?;
        let (last, last_props) = {
            let settings = self.settings.borrow();
            (settings.options.clone(), settings.props.clone())
        };
        let merged = Object::assign(&Object::new(), &last);
        let mut replaced = Vec::new();
        for spec in OPTIONS {
            if let Some(other) = spec.excludes {
                if given(&partial, spec.name)?.is_some() && given(&partial, other)?.is_none() {
                    replaced.push(other);
                }
            }
        }
        Object::assign(&merged, partial.unchecked_ref());
        for other in replaced {
            Reflect::delete_property(&merged, &other.into())?;
        }
        let mut props = read_options(&merged)?;
        // A function option that is still the same function keeps its Rust side, so an
        // update of the locale alone is no new token source, uploader or callback.
        for spec in OPTIONS {
            let same = match (get(&merged, spec.name), get(&last, spec.name)) {
                (Ok(new), Ok(old)) => new.is_function() && new == old,
                _ => false,
            };
            if let (true, Some(keep)) = (same, spec.keep) {
                keep(&mut props, &last_props);
            }
        }
        {
            let mut settings = self.settings.borrow_mut();
            settings.options = merged;
            settings.props = props;
            settings.version = settings.version.wrapping_add(1);
        }
        self.render();
        Ok(())
    }

    /// Removes the panel: its DOM, listeners, timers, object URLs and requests in
    /// flight. Calling it again does nothing.
    pub fn destroy(&self) {
        if self.destroyed.replace(true) {
            return;
        }
        HOSTS.with(|hosts| hosts.delete(&self.host));
        // While the app renders (a host callback called this), `render` finishes the job.
        let app = self.app.borrow_mut().take();
        if let Some(app) = app {
            self.tear_down(app);
        }
    }

    /// Whether `destroy()` was called.
    #[wasm_bindgen(getter)]
    pub fn destroyed(&self) -> bool {
        self.destroyed.get()
    }
}

impl PanelHandle {
    /// Hands the latest props to the app, again if an update came in meanwhile.
    fn render(&self) {
        // None: a host callback called `update` while the app renders; that call's
        // `render` loop sees the new version.
        let Some(mut app) = self.app.borrow_mut().take() else {
            return;
        };
        loop {
            let (props, version) = {
                let settings = self.settings.borrow();
                (settings.props.clone(), settings.version)
            };
            app.update(props);
            if self.destroyed.get() {
                return self.tear_down(app);
            }
            if self.settings.borrow().version == version {
                break;
            }
        }
        *self.app.borrow_mut() = Some(app);
    }

    fn tear_down(&self, app: AppHandle<StartConversation>) {
        app.destroy();
        // Yew keeps its delegated listeners on the element it rendered into; the
        // container goes, and them with it.
        self.container.remove();
    }
}
