import hookgate


def test_public_api_is_importable() -> None:
    assert callable(hookgate.create_app)
    assert hookgate.Runtime is not None
