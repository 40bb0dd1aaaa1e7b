package shop;

import java.util.ArrayList;
import java.util.List;

public class Shop {
    private final List<Order> orders = new ArrayList<>();

    public void place(String customer, int amount) {
        Order order = new Order(customer, amount);
        orders.add(order);
    }

    public int total() {
        int sum = 0;
        for (Order order : orders) {
            sum += order.amount();
        }
        return sum;
    }

    public Runnable reporter() {
        Runnable task = new Runnable() {
            @Override
            public void run() {
                System.out.println(total());
            }
        };
        return task;
    }

    public int average() {
        return total() / orders.size();
    }
}
