defmodule Caching.LruCache do
  @moduledoc """
  A least-recently-used cache in front of a backend.
  """

  use GenServer
  alias Caching.Store.Backend
  alias Caching.{Stats, Telemetry}
  alias Caching.Store.Memory, as: Mem
  import Logger, only: [debug: 1]
  require Caching.Macros

  @max_entries 100
  @default_opts [limit: @max_entries, name: __MODULE__]

  defstruct entries: %{}, backend: nil, limit: @max_entries

  @type key :: String.t() | atom()

  def start_link(opts \\ []) do
    opts = Keyword.merge(@default_opts, opts)
    GenServer.start_link(__MODULE__, opts, name: opts[:name])
  end

  def get(server, key), do: GenServer.call(server, {:get, key})

  @impl true
  def init(opts) do
    {:ok, %__MODULE__{backend: Backend.new(Mem), limit: opts[:limit]}}
  end

  @impl true
  def handle_call({:get, key}, _from, state) do
    case Map.fetch(state.entries, key) do
      {:ok, value} ->
        Stats.hit(key)
        {:reply, value, state}

      :error ->
        value = Backend.load(state.backend, key)
        state = evict(%{state | entries: Map.put(state.entries, key, value)})
        {:reply, value, state}
    end
  end

  defp evict(%{entries: entries, limit: limit} = state) do
    if map_size(entries) > limit do
      oldest = entries |> Map.keys() |> List.first()
      debug("evicting #{inspect(oldest)}")
      %{state | entries: Map.delete(entries, oldest)}
    else
      state
    end
  end

  defp clear(state) do
  end

  defmacro cached(key, do: block) do
    quote do
      get(__MODULE__, unquote(key)) || unquote(block)
    end
  end

  def dump(state, path) do
    Enum.each(state.entries, fn {key, value} ->
      Telemetry.emit(:dump, %{key: key})
      IO.puts("#{key}: #{value}")
    end)

    try do
      File.write!(path, :erlang.term_to_binary(state.entries))
    rescue
      e in File.Error -> Logger.error(Exception.message(e))
    end
  end
end

defmodule Caching.Stats do
  def hit(_key), do: :ok
end
