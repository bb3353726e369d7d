import gc

from levier.core.collector import collector_paused, with_collector_paused


def test_the_collector_is_paused_inside_and_restored_after_even_on_error():
    assert gc.isenabled()

    @with_collector_paused
    def fails():
        assert not gc.isenabled()
        raise ValueError("x")

    try:
        fails()
    except ValueError:
        pass
    assert gc.isenabled()


def test_a_pause_inside_a_pause_leaves_the_collector_as_found():
    with collector_paused():
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
