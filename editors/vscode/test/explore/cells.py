# %% [markdown]
# # Sales report

# %%
import csv
import statistics

# %%
north_sales = [10, 25, 30]
north_total = sum(north_sales)
north_mean = statistics.mean(north_sales)
print("north", north_total, north_mean)

# %%
south_sales = [20, 35, 40]
south_total = sum(south_sales)
south_mean = statistics.mean(south_sales)
print("south", south_total, south_mean)

# %%
east_sales = [30, 45, 50]
east_total = sum(east_sales)
east_mean = statistics.mean(east_sales)
print("east", east_total, east_mean)

# %%
west_sales = [40, 55, 60]
west_total = sum(west_sales)
west_mean = statistics.mean(west_sales)
print("west", west_total, west_mean)

# %%
centre_sales = [50, 65, 70]
centre_total = sum(centre_sales)
centre_mean = statistics.mean(centre_sales)
print("centre", centre_total, centre_mean)

# %%
coast_sales = [60, 75, 80]
coast_total = sum(coast_sales)
coast_mean = statistics.mean(coast_sales)
print("coast", coast_total, coast_mean)

# %%
hills_sales = [70, 85, 90]
hills_total = sum(hills_sales)
hills_mean = statistics.mean(hills_sales)
print("hills", hills_total, hills_mean)

# %%
plains_sales = [80, 95, 100]
plains_total = sum(plains_sales)
plains_mean = statistics.mean(plains_sales)
print("plains", plains_total, plains_mean)

# %%
lakes_sales = [90, 105, 110]
lakes_total = sum(lakes_sales)
lakes_mean = statistics.mean(lakes_sales)
print("lakes", lakes_total, lakes_mean)

# %%
islands_sales = [100, 115, 120]
islands_total = sum(islands_sales)
islands_mean = statistics.mean(islands_sales)
print("islands", islands_total, islands_mean)

# %%
grand_total = sum([north_total, south_total, east_total, west_total])
share_north = north_total / grand_total
print(f"north share: {share_north:.1%}")
