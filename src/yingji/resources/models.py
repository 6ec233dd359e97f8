"""Emergency resources (一库): teams, warehouses and stock, shelters, experts, equipment."""
