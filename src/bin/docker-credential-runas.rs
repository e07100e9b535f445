//! docker-credential-runas: Docker's credential helper for Amazon ECR, answering each
//! registry with the token of the profile that owns it (see `runas::ecr::credential_helper`).

fn main() -> std::process::ExitCode {
    runas::ecr::credential_helper::main()
}
