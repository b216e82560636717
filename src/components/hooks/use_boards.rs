//! The boards a member can post to, read once from the API.

use yew::prelude::*;

use crate::api::list::{groups_path, records, Group};
use crate::components::board_picker::Boards;
use crate::transport::{ApiClient, Cancellation, Method};

/// How many boards are read (the documented maximum page size is 1000).
const BOARDS_PAGE_SIZE: u32 = 200;

/// Fetches the boards once when `client` is given (start mode without a fixed board);
/// the request is cancelled if the panel goes away first.
#[hook]
pub fn use_boards(client: Option<ApiClient>) -> Boards {
    let boards = use_state(|| Boards::Loading);
    {
        let boards = boards.clone();
        let wanted = client.is_some();
        use_effect_with(wanted, move |_| {
            let cancel = Cancellation::default();
            if let Some(client) = client {
                let cancel = cancel.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    let answer = client
                        .fetch_json(
                            Method::GET,
                            &client.url(&groups_path(BOARDS_PAGE_SIZE)),
                            None,
                            &[],
                            &cancel,
                        )
                        .await;
                    if cancel.is_cancelled() {
                        return;
                    }
                    boards.set(match answer {
                        Ok(list) => Boards::Loaded(
                            records(&list, Group::read)
                                .into_iter()
                                .filter(Group::open_to_members)
                                .collect(),
                        ),
                        Err(_) => Boards::Failed,
                    });
                });
            }
            move || cancel.cancel()
        });
    }
    (*boards).clone()
}
