"""The first-run recommendation: the best model for French that the machine runs comfortably."""
from __future__ import annotations

from models.catalog import Machine, find, recommend


def test_recommendation_follows_the_machine():
    big = recommend(Machine(ram_gb=32, cores=12, gpu=False, free_disk_gb=200))
    assert big.model.name == "mistral-7b-instruct-v0.3-q4_k_m" and big.reason == "fits"
    gpu = recommend(Machine(ram_gb=16, cores=4, gpu=True, free_disk_gb=200))
    assert gpu.model.name == "mistral-7b-instruct-v0.3-q4_k_m"
    laptop = recommend(Machine(ram_gb=16, cores=4, gpu=False, free_disk_gb=200))
    assert laptop.model.name == "gemma-3-4b-it-q4_k_m" and laptop.reason == "slow-cpu"
    small = recommend(Machine(ram_gb=8, cores=4, gpu=False, free_disk_gb=200))
    assert small.model.ram_gb <= 0.6 * 8 and small.reason == "small-ram"
    tiny = recommend(Machine(ram_gb=4, cores=2, gpu=False, free_disk_gb=200))
    assert tiny.model.name == "llama-3.2-1b-instruct-q4_k_m"
    full_disk = recommend(Machine(ram_gb=32, cores=12, gpu=False, free_disk_gb=3))
    assert full_disk.model.size_gb + 1 <= 3 and full_disk.reason == "no-disk"
    assert recommend(Machine(ram_gb=2, cores=2, gpu=False, free_disk_gb=200)).model is None


def test_machine_detection_reads_this_computer(tmp_path):
    machine = Machine.detect(str(tmp_path))
    assert machine.ram_gb > 0.5 and machine.cores >= 1 and machine.free_disk_gb > 0
    assert find("gemma-3-4b-it-q4_k_m") is not None
