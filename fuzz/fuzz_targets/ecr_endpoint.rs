//! ECR endpoint parsing: any text is accepted or refused without a panic; what is accepted
//! names a registry that parses back to itself, with or without `https://` and a final `/`,
//! and a refusal message always lists the accepted forms.
#![no_main]

use libfuzzer_sys::fuzz_target;
use runas::ecr::endpoint::{self, Endpoint, FORMS};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for item in endpoint::split_list(text) {
        assert!(!item.is_empty());
        let _ = endpoint::parse(item);
    }
    match endpoint::parse(text) {
        Ok(Endpoint::Registry(registry)) => {
            for form in [
                registry.host.clone(),
                format!("https://{}", registry.host),
                format!("https://{}/", registry.host),
            ] {
                assert_eq!(
                    endpoint::parse(&form),
                    Ok(Endpoint::Registry(registry.clone())),
                    "{form}"
                );
            }
            assert!(!registry.host.starts_with('-'));
            assert!(registry.host.bytes().all(|b| b.is_ascii_graphic()));
        }
        Ok(Endpoint::Account(account)) => {
            assert!(account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()));
        }
        Err(message) => assert!(message.ends_with(FORMS), "{message}"),
    }
});
